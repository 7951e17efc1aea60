package io.partwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One place reads the command line: a mode, --demo, --help, or a property of a namespace that
 * Partwarden or Spring Boot reads; anything else is refused with exit code 2 and the usage line.
 */
class CommandLineTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "--dry-rn                         | --dry-rn is neither a mode                   | did you mean --dry-run?",
            "--dryrun                         | --dryrun is neither a mode                   | did you mean --dry-run?",
            "--onse                           | --onse is neither a mode                     | did you mean --once?",
            "--retention=12m                  | --retention is neither a mode                | nor a property of spring.*, server.*, management.*, logging.*, partwarden.*",
            "--partwardn.tables[0].premake=6  | --partwardn.tables[0].premake is neither     | did you mean --partwarden.tables[0].premake?",
            "--datasource.url=jdbc:x          | --datasource.url is neither a mode           | nor a property of",
            "once                             | 'once' is not an option                      | each begins with --",
            "-x                               | '-x' is not an option                        | each begins with --",
            "--                               | '--' is not an option                        | each begins with --",
            "--once=false                     | --once takes no value                        | give --once alone",
            "--restore                        | --restore needs the path of an archive manifest | --restore=/archive/",
            "--restore=                       | --restore needs the path of an archive manifest | --restore=/archive/",
            "--restore-into=public.t          | --restore-into goes with --restore=<manifest> | where that archive is loaded",
            "--list-archives=                 | --list-archives needs a location after its = | or no value for partwarden.archive.location",
            "--list-archive                   | --list-archive is neither a mode             | did you mean --list-archives?",
    })
    void anOptionThatIsNeitherAModeNorAPropertyIsRefusedWithExitCodeTwo(String arg, String problem, String detail) {
        assertThatThrownBy(() -> CommandLine.parse("--spring.datasource.url=jdbc:postgresql://db/app", arg))
                .isInstanceOfSatisfying(CommandLineException.class, e -> {
                    assertThat(e.getMessage()).contains(problem).contains(detail);
                    assertThat(e.getExitCode()).isEqualTo(2);
                    assertThat(e.report()).startsWith("partwarden: " + e.getMessage() + "\nusage: java -jar partwarden.jar");
                });
    }

    @Test
    void twoModesAreRefused() {
        assertThatThrownBy(() -> CommandLine.parse("--verify", "--once"))
                .isInstanceOf(CommandLineException.class).hasMessage("--verify and --once are 2 modes; give one");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--spring.datasource.url=jdbc:postgresql://db/app", "--server.port=0",
            "--management.server.port=9471", "--logging.level.io.partwarden=debug", "--partwarden.tables[0].premake=6",
            "--partwarden.events-schema=audit", "--SPRING.DATASOURCE.USERNAME=app", "--debug", "--trace", "--debug=true"})
    void aPropertyOfAKnownNamespaceIsTheDaemonsOrAModes(String arg) {
        assertThat(CommandLine.parse(arg).mode()).isEqualTo(RunMode.DAEMON);
        assertThat(CommandLine.parse("--once", arg).mode()).isEqualTo(RunMode.ONCE);
    }

    @Test
    void restoreCarriesItsManifestAndTable() {
        CommandLine commandLine = CommandLine.parse("--restore=/archive/a.manifest.json", "--restore-into=Audit Trail.back");

        assertThat(commandLine.mode()).isEqualTo(RunMode.RESTORE);
        assertThat(commandLine.restore()).isEqualTo("/archive/a.manifest.json");
        assertThat(commandLine.restoreInto()).isEqualTo("Audit Trail.back");
    }

    @Test
    void listArchivesTakesALocationOrNone() {
        assertThat(CommandLine.parse("--list-archives=s3://archives/pw").listArchives()).isEqualTo("s3://archives/pw");
        assertThat(CommandLine.parse("--list-archives").listArchives()).isNull();
        assertThat(CommandLine.parse("--list-archives").mode()).isEqualTo(RunMode.LIST_ARCHIVES);
        assertThat(RunMode.LIST_ARCHIVES.needsDatabase()).isFalse();
        assertThatThrownBy(() -> CommandLine.parse("--list-archives", "--once"))
                .hasMessage("--list-archives and --once are 2 modes; give one");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void helpIsAnsweredWhateverElseIsGiven(String help) {
        assertThat(CommandLine.parse(help).help()).isTrue();
        assertThat(CommandLine.parse("--dry-rn", help, "--once", "--verify").help()).isTrue();
    }

    @Test
    void theHelpListsTheModesTheirExitCodesTheCommonPropertiesAndWhereTheRestAre() {
        String help = CommandLine.helpText();

        assertThat(help).contains(CommandLine.USAGE)
                .contains("--once", "--dry-run", "--verify", "--restore=<manifest> [--restore-into=<schema.table>]", "--demo",
                        "--help, -h")
                .contains("0 every table converged", "1 an action failed", "0 all hold, 1 problems",
                        "0 restored, 1 refused", "--list-archives[=<location>]", "needs no database: 0 listed", "exits 2 when the command line or the configuration is not valid",
                        "3 when the database cannot be reached", "this text: 0")
                .contains("spring.datasource.url", "spring.datasource.username", "spring.datasource.password",
                        "partwarden.tables[0].retention", "partwarden.tables[0].on-retire")
                .contains("Every property, its default and what it allows: README.md, section Properties.");
    }
}
