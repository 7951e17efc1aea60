package io.partwarden.migration;

import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Before the migration, in the modes that change the database: the database must accept writes.
 * A hot standby, or a database (or role) with {@code default_transaction_read_only = on}, would
 * otherwise fail later, deep in Flyway or in the replicas' lock, with a stack trace that does not
 * say why.
 */
final class WritableDatabase {

    static final String STATE = """
            SELECT current_database() AS database, pg_is_in_recovery() AS in_recovery,
                   current_setting('default_transaction_read_only') = 'on' AS default_read_only,
                   current_setting('transaction_read_only') = 'on' AS read_only""";

    private WritableDatabase() {
    }

    /** @throws ReadOnlyDatabaseException naming the database and why it is read-only */
    static void check(JdbcTemplate jdbc) {
        Map<String, Object> state = jdbc.queryForMap(STATE);
        String why = Boolean.TRUE.equals(state.get("in_recovery")) ? "in recovery: a hot standby"
                : Boolean.TRUE.equals(state.get("default_read_only")) ? "default_transaction_read_only is on"
                : Boolean.TRUE.equals(state.get("read_only")) ? "its transactions are read-only" : null;
        if (why != null) {
            throw new ReadOnlyDatabaseException("database " + state.get("database") + " is read-only (" + why
                    + "): Partwarden needs the primary");
        }
    }

    /** The database accepts no writes; nothing was changed. */
    static final class ReadOnlyDatabaseException extends RuntimeException {
        ReadOnlyDatabaseException(String message) {
            super(message);
        }
    }
}
