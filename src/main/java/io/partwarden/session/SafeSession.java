package io.partwarden.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What every session of the service sets before it runs anything: settings of the role or the
 * database that would make the service run another role's code, or fail half-way, are replaced
 * by the service's own.
 * <ul>
 * <li>{@code search_path}: pg_catalog first, Partwarden's own schema, pg_temp last. A role with
 *     CREATE on a schema in the role's path (public) could otherwise define an operator such as
 *     {@code public.=(oid, regclass)}, an exact match PostgreSQL prefers to pg_catalog's, and have
 *     the service (often a superuser) run it.</li>
 * <li>{@code statement_timeout}, {@code idle_in_transaction_session_timeout},
 *     {@code transaction_timeout} (PostgreSQL 17): off. A role's {@code statement_timeout = 2s}
 *     let a retirement detach a partition and then fail its archive at every pass; the service
 *     bounds what it must itself (lock timeouts on DDL, the statistics read's own timeout).</li>
 * <li>{@code row_security}: off, so a query that row level security would filter fails instead:
 *     an archive or a row count must never see fewer rows than the table holds.</li>
 * <li>{@code default_transaction_isolation}: read committed, which the lock retries assume.</li>
 * </ul>
 * Settings the server does not know (transaction_timeout before 17) are left out, so the same
 * statement runs on every supported version; it names everything it uses with its schema,
 * because it runs under the role's own path.
 */
public final class SafeSession {

    public static final String SEARCH_PATH = "pg_catalog, partwarden, pg_temp";

    public static final String INIT_SQL = """
            SELECT pg_catalog.set_config(s.name, s.value, false)
              FROM (VALUES ('search_path', '%s'),
                           ('statement_timeout', '0'),
                           ('idle_in_transaction_session_timeout', '0'),
                           ('transaction_timeout', '0'),
                           ('row_security', 'off'),
                           ('default_transaction_isolation', 'read committed')) AS s(name, value)
             WHERE s.name OPERATOR(pg_catalog.=) ANY (SELECT p.name FROM pg_catalog.pg_settings p)"""
            .formatted(SEARCH_PATH);

    private SafeSession() {
    }

    /** Applies the settings to a connection that did not get them when it was opened. */
    public static void apply(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(INIT_SQL);
        }
    }
}
