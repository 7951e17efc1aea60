package io.partwarden.migration;

import io.partwarden.config.PartwardenProperties;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Migrates at start-up, before anything that reads the partitions is created. */
@Configuration(proxyBeanMethods = false)
public class MigrationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MigrationConfiguration.class);

    @Bean
    public MigrateResult schemaMigrated(DataSource dataSource, PartwardenProperties properties) {
        MigrateResult result = SchemaMigration.migrate(dataSource, properties);
        log.info("Database schema is at version {} ({} migrations applied now)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                result.migrationsExecuted);
        return result;
    }
}
