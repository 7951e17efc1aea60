package io.partwarden.migration;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/** Migration 8.1: installs {@link ConversionFunctions} (again, on a first install). */
final class ConversionFunctionsMigration implements JavaMigration {

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("8.1");
    }

    @Override
    public String getDescription() {
        return "conversion functions";
    }

    @Override
    public Integer getChecksum() {
        return ConversionFunctions.checksum();
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        ConversionFunctions.install(context.getConnection());
    }
}
