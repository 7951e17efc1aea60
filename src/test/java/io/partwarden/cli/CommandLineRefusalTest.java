package io.partwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A command line that is not Partwarden's is refused with exit code 2 and the usage line before
 * anything connects: a mistyped mode never starts the daemon and converts the table; --help
 * answers without a database; an invalid configuration exits 2 from main too.
 */
@ExtendWith(OutputCaptureExtension.class)
class CommandLineRefusalTest {

    /** A datasource nothing answers on: whatever connected would fail loudly. */
    static final String NOWHERE = "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/nowhere";

    @Test
    void aMistypedModeIsRefusedAndTheTableIsLeftAsItWas(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("cli_typo")) {
            db.runScript("demo/meshhook.sql");

            // --server.port=0: were it to start the daemon as it once did, on no port anyone else uses
            assertThat(Commands.run(db, "--dry-rn", "--server.port=0")).isEqualTo(2);
            assertThat(Commands.run(db, "--dryrun", "--server.port=0")).isEqualTo(2);

            assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                    String.class)).as("still MeshHook's plain table").isEqualTo("r");
            assertThat(db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NULL", Boolean.class))
                    .as("nothing was migrated").isTrue();
        }
        assertThat(output.getErr())
                .contains("partwarden: --dry-rn is neither a mode (--once, --dry-run, --verify, --restore=<manifest>,"
                        + " --finish-conversion, --rollback-conversion, --convert, --list-archives, --demo, --help) nor a property of spring.*, server.*, management.*, logging.*, partwarden.*; did you mean --dry-run?")
                .contains("partwarden: --dryrun is neither a mode")
                .contains(CommandLine.USAGE);
        assertThat(output.getOut()).doesNotContain("Tomcat started").doesNotContain("Starting PartwardenApplication");
    }

    @Test
    void mainRefusesAnUnknownOptionWithExitCodeTwoBeforeConnecting() throws Exception {
        try (ServiceProcess process = ServiceProcess.start(Map.of(), List.of("--verfy", NOWHERE))) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(process.output()).contains("partwarden: --verfy is neither a mode").contains("did you mean --verify?")
                    .contains(CommandLine.USAGE).doesNotContain("Starting PartwardenApplication").doesNotContain("JDBC");
        }
    }

    @Test
    void helpPrintsTheModesTheirExitCodesAndTheCommonPropertiesAndExitsZeroWithoutADatabase() throws Exception {
        try (ServiceProcess process = ServiceProcess.start(Map.of(), List.of("--help", NOWHERE))) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(process.output()).isEqualTo(CommandLine.helpText());
        }
        try (ServiceProcess process = ServiceProcess.start(Map.of(), List.of("-h"))) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(process.output()).contains("Modes, and their exit codes:");
        }
    }

    @Test
    void mainExitsTwoOnAnInvalidConfigurationBeforeConnecting() throws Exception {
        try (ServiceProcess process = ServiceProcess.start(Map.of(), List.of("--once", NOWHERE,
                "--partwarden.tables[0].premak=6"))) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(process.output()).contains("APPLICATION FAILED TO START")
                    .contains("partwarden.tables[0].premak (from the command line) is not a property; did you mean premake?")
                    .doesNotContain("JDBC").doesNotContain("cancelling refresh attempt");
        }
    }
}
