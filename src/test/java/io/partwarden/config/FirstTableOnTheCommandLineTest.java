package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.ServiceProcess;
import io.partwarden.testing.TestDatabase;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The runbook's "set partwarden.tables[0].retention: 12m", as a command line or an environment
 * variable holding only that, acts on workflow_events in every mode (they share one binding).
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstTableOnTheCommandLineTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static String newestPartition(TestDatabase db) {
        return db.jdbc().queryForObject("SELECT max(partition_name::text) FROM partwarden.partitions('workflow_events')",
                String.class);
    }

    @Test
    @Order(1)
    void onceWithOnlyTheRetentionConvertsAndMaintainsWorkflowEvents() {
        database.get().runScript("demo/meshhook.sql");
        database.get().runScript("demo/meshhook-events.sql");

        assertThat(Commands.run(database.get(), "--once", "--partwarden.tables[0].retention=12m")).isZero();

        assertThat(database.get().jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000L);
        assertThat(newestPartition(database.get())).isEqualTo(MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(3)));
    }

    @Test
    @Order(2)
    void dryRunWithOnlyThePremakePlansWorkflowEvents(CapturedOutput output) {
        assertThat(Commands.run(database.get(), "--dry-run", "--partwarden.tables[0].premake=5")).isZero();

        String fifth = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(5));
        assertThat(output.getOut()).contains("-- create public." + fifth);
    }

    @Test
    @Order(3)
    void anEnvironmentVariableAloneActsOnWorkflowEvents() throws Exception {
        TestDatabase db = database.get();
        try (ServiceProcess process = ServiceProcess.start(Map.of("PARTWARDEN_TABLES_0_PREMAKE", "6"), List.of("--once",
                "--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password()))) {
            assertThat(process.awaitExit(Duration.ofSeconds(120))).as(process::output).isZero();
            assertThat(process.output()).contains("partwarden.tables[0]: name=public.workflow_events, column=ts, interval=month,"
                    + " premake=6,");
        }
        assertThat(newestPartition(db)).isEqualTo(MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(6)));
    }
}
