package io.partwarden.maintenance;

import io.partwarden.catalog.TableConfigurationException;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.migration.MigrationConfiguration.SchemaState;
import java.time.Clock;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

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

    /**
     * In the modes that maintain tables, a configured table the database does not have, or has
     * partitioned otherwise, stops start-up; --verify lists it among its findings instead.
     */
    @Bean
    public CheckedTables checkedTables(SchemaState schema, TableCheck check, PartwardenProperties properties, RunMode mode) {
        if (mode.maintainsTables()) {
            List<String> problems = check.problems(properties);
            if (!problems.isEmpty()) {
                throw new TableConfigurationException(problems);
            }
        }
        return new CheckedTables();
    }

    /** Marks that the configured tables were checked; beans that maintain them depend on it. */
    public record CheckedTables() {
    }
}
