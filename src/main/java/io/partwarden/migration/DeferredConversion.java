package io.partwarden.migration;

import io.partwarden.config.ConversionMethod;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.meshhook.MeshHookEvents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * Migration 3 left to convert a large plain workflow_events online: which way it goes
 * ({@link ConversionChoice}), and, when online, {@code db/partwarden-functions/defer-conversion.sql},
 * whose {@code convert_to_monthly_partitions} refuses what the online conversion cannot carry over
 * and otherwise leaves the table plain for the service (design, section 3). Reads the catalog and,
 * for a table it has no estimate of, at most {@code online-above + 1} rows: the migration returns
 * at once whatever the table's size.
 */
final class DeferredConversion {

    static final String RESOURCE = "db/partwarden-functions/defer-conversion.sql";
    static final String SQL = read();

    static final String EVENTS_KIND = """
            SELECT c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = 'workflow_events'""";
    /** deadlock_timeout in milliseconds, its unit in pg_settings. */
    static final String DEADLOCK_TIMEOUT = "SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'deadlock_timeout'";
    /** Read by the replacement convert_to_monthly_partitions for its NOTICE; gone with the transaction. */
    static final String SET_REASON = "SELECT pg_catalog.set_config('partwarden.conversion_reason', ?, true)";

    private DeferredConversion() {
    }

    /** How migration 3 will convert {events-schema}.workflow_events; empty where it is no plain table. */
    static Optional<ConversionChoice> choose(Connection connection, PartwardenProperties properties) throws SQLException {
        try (PreparedStatement kind = connection.prepareStatement(EVENTS_KIND)) {
            kind.setString(1, properties.eventsSchema());
            try (ResultSet row = kind.executeQuery()) {
                if (!row.next() || !"r".equals(row.getString(1))) {
                    return Optional.empty();
                }
            }
        }
        PartwardenProperties.Migration migration = properties.migration();
        RowEstimate estimate = migration.conversion() == ConversionMethod.AUTO
                ? RowEstimate.read(connection, properties.eventsSchema(), MeshHookEvents.TABLE, migration.onlineAbove())
                : RowEstimate.fromCatalog(-1); // not read: the method is given
        return Optional.of(ConversionChoice.resolve(migration.conversion(), estimate, migration.onlineAbove()));
    }

    /**
     * Installs the replacement for this transaction's migration 3, after the one check only Java
     * can make (the configured lock timeout against the server's deadlock_timeout).
     *
     * @throws IllegalStateException naming both settings, when the lock timeout is not below deadlock_timeout
     */
    static void install(Connection connection, PartwardenProperties properties, ConversionChoice choice) throws SQLException {
        long deadlockMillis;
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(DEADLOCK_TIMEOUT)) {
            row.next();
            deadlockMillis = row.getLong(1);
        }
        Optional<String> problem = lockTimeoutProblem(MeshHookEvents.qualified(properties.eventsSchema()),
                properties.migration().lockTimeout(), deadlockMillis);
        if (problem.isPresent()) {
            throw new IllegalStateException(problem.get());
        }
        try (PreparedStatement reason = connection.prepareStatement(SET_REASON)) {
            reason.setString(1, choice.reason());
            reason.execute();
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(SQL);
        }
    }

    /**
     * The online conversion's steps wait for their locks at most {@code lock-timeout}: in a lock
     * cycle with a writer, that must run out before the server's deadlock detector, which would
     * otherwise cancel the writer.
     */
    static Optional<String> lockTimeoutProblem(String table, Duration lockTimeout, long deadlockTimeoutMillis) {
        if (lockTimeout.toMillis() < deadlockTimeoutMillis) {
            return Optional.empty();
        }
        return Optional.of("cannot convert " + table + " online: partwarden.migration.lock-timeout " + Spelling.of(lockTimeout)
                + " is not below the server's deadlock_timeout " + Spelling.of(Duration.ofMillis(deadlockTimeoutMillis))
                + ": in a lock cycle with a writer the server would cancel the writer rather than the conversion's step;"
                + " set partwarden.migration.lock-timeout below deadlock_timeout (500ms by default), raise deadlock_timeout,"
                + " or set partwarden.migration.conversion=in-place to convert it in one transaction");
    }

    private static String read() {
        try (InputStream in = DeferredConversion.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e, e);
        }
    }
}
