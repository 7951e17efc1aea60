package io.partwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The mode read from the raw command line (to decide on a web server) is the one the started application's conditions see. */
class RunModeTest {

    static StandardEnvironment environment(String... args) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return environment;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "'--spring.datasource.url=jdbc:postgresql://db/app', DAEMON",
            "'--once', ONCE",
            "'--dry-run', DRY_RUN",
            "'--verify --partwarden.tables[0].premake=2', VERIFY",
            "'--restore=/archive/x.manifest.json --restore-into=public.t', RESTORE",
            "'--demo', DAEMON",
            "'--demo --once', ONCE"})
    void theCommandLineAndTheEnvironmentAgreeOnTheMode(String commandLine, RunMode expected) {
        String[] args = commandLine.split(" ");

        assertThat(RunMode.of(args)).isEqualTo(expected);
        assertThat(RunMode.of(environment(args))).isEqualTo(expected);
    }

    @Test
    void onlyTheCommandLineSetsAMode() {
        StandardEnvironment environment = environment("--spring.datasource.url=jdbc:postgresql://db/app");
        environment.getPropertySources().addLast(new SystemEnvironmentPropertySource("systemEnvironment",
                Map.of("ONCE", "true", "DRY_RUN", "true", "VERIFY", "1")));
        environment.getPropertySources().addLast(new MapPropertySource("application.yml", Map.of("dry-run", "true")));

        assertThat(RunMode.of(environment)).isEqualTo(RunMode.DAEMON);
    }
}
