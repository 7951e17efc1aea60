package io.partwarden.config;

/**
 * How the migration turns a plain workflow_events into a partitioned one. Configured in lower
 * case: {@code auto}, {@code online}, {@code in-place}.
 */
public enum ConversionMethod {
    /** Online above {@code partwarden.migration.online-above} rows (the catalog's estimate), else in place. */
    AUTO,
    /** A copy beside the live table, kept current by a change log, swapped in a sub-second transaction. */
    ONLINE,
    /** One transaction holding the table: writers wait for the whole copy; simple and exact for small tables. */
    IN_PLACE
}
