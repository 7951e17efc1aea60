package io.partwarden.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How many rows a table holds, as cheaply as the migration can know it: the catalog's estimate
 * ({@code pg_class.reltuples}, kept by VACUUM, ANALYZE and autovacuum), or, where there is none (-1:
 * never analyzed, PostgreSQL 14 on; 0 while the table has pages), a count that stops one row past
 * the bound it is compared with, so that it reads at most that many rows, never the whole table.
 *
 * @param rows the estimate, or the rows counted
 * @param counted whether they were counted (no estimate in the catalog)
 * @param bounded whether the count stopped at its bound: the table holds at least {@code rows}
 */
public record RowEstimate(long rows, boolean counted, boolean bounded) {

    static final String CATALOG = """
            SELECT c.reltuples::bigint AS reltuples, c.relpages AS relpages
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";
    /** Reads at most {@code bound + 1} rows of %s (the quoted table). */
    static final String BOUNDED_COUNT = "SELECT count(*) FROM (SELECT 1 FROM %s LIMIT ?) s";

    public static RowEstimate fromCatalog(long rows) {
        return new RowEstimate(rows, false, false);
    }

    /**
     * @param bound the count, where one is needed, stops after {@code bound + 1} rows
     * @throws SQLException from the catalog read or the count; an absent table reads as 0 rows
     */
    public static RowEstimate read(Connection connection, String schema, String table, long bound) throws SQLException {
        long reltuples;
        long relpages;
        try (PreparedStatement catalog = connection.prepareStatement(CATALOG)) {
            catalog.setString(1, schema);
            catalog.setString(2, table);
            try (ResultSet row = catalog.executeQuery()) {
                if (!row.next()) {
                    return fromCatalog(0);
                }
                reltuples = row.getLong("reltuples");
                relpages = row.getLong("relpages");
            }
        }
        if (reltuples > 0 || (reltuples == 0 && relpages == 0)) {
            return fromCatalog(reltuples);
        }
        long limit = bound == Long.MAX_VALUE ? bound : bound + 1;
        try (PreparedStatement count = connection.prepareStatement(BOUNDED_COUNT.formatted(quoted(schema) + "." + quoted(table)))) {
            count.setLong(1, limit);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                long rows = row.getLong(1);
                return new RowEstimate(rows, true, rows >= limit);
            }
        }
    }

    /** In words: "about 1,234,567 rows by the catalog's estimate", "at least 100,001 rows, counted (...)". */
    public String describe() {
        String rows = ConversionChoice.number(this.rows) + (this.rows == 1 ? " row" : " rows");
        if (!counted) {
            return "about " + rows + " by the catalog's estimate";
        }
        return (bounded ? "at least " : "") + rows + ", counted"
                + (bounded ? " no further" : "") + " (the catalog has no estimate: the table was never analyzed)";
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
