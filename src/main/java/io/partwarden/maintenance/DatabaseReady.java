package io.partwarden.maintenance;

import io.partwarden.migration.DatabaseMigration.Migrated;

/**
 * Published once start-up has reached the database and, in the modes that maintain tables,
 * migrated it and checked the configured tables: the daemon's schedule and statistics start now.
 *
 * @param migrated what the migration did; null in the modes that do not migrate
 */
public record DatabaseReady(Migrated migrated) {
}
