package io.partwarden.maintenance;

import io.partwarden.cli.RunMode;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The clock and the mode. The configured tables are checked against the database by
 * {@link DatabaseStartup}, before and after the migration, not while beans are made: the
 * database may not be up yet.
 */
@Configuration(proxyBeanMethods = false)
public class MaintenanceConfiguration {

    /** The one source of "now", so tests can pin it. */
    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    public RunMode runMode(Environment environment) {
        return RunMode.of(environment);
    }
}
