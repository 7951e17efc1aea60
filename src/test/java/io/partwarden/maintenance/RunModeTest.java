package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The mode read from the raw command line (to decide on a web server) is the one Spring's environment gives. */
class RunModeTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "'--spring.datasource.url=jdbc:postgresql://db/app', DAEMON",
            "'--once', ONCE",
            "'--dry-run', DRY_RUN",
            "'--dry-run=true', DRY_RUN",
            "'--verify --once', VERIFY",
            "'--restore=/archive/x.manifest.json --restore-into=public.t', RESTORE",
            "'--restore', RESTORE",
            "'--restore-into=public.t', DAEMON"})
    void theCommandLineAndTheEnvironmentAgreeOnTheMode(String commandLine, RunMode expected) {
        String[] args = commandLine.split(" ");
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));

        assertThat(RunMode.of(args)).isEqualTo(expected);
        assertThat(RunMode.of(environment)).isEqualTo(expected);
    }
}
