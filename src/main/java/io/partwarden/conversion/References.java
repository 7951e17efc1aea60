package io.partwarden.conversion;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The rows a table's foreign keys reference, as a batch keeps to the rows whose referenced row is
 * still there. A run deleted after a batch's snapshot was taken cascades to events the batch has
 * read: copied, they would fail the foreign key and with it the whole batch, over and over while
 * MeshHook deletes runs. Locking the referenced rows FOR KEY SHARE in the batch's own statement
 * skips exactly those events (their deletes are logged, so replay has nothing to copy) and keeps
 * the others' runs until the batch commits.
 */
record References(List<Reference> keys) {

    /** One foreign key: its columns, the table it references and the columns there, all quoted. */
    record Reference(List<String> columns, String table, List<String> referenced) {

        /** The referenced rows of the batch's rows, locked in key order (one order for every batch). */
        String lock(String name, String batch) {
            return name + " AS (SELECT " + prefixed("r", referenced) + " FROM " + table + " r WHERE ("
                    + prefixed("r", referenced) + ") IN (SELECT " + prefixed("b", columns) + " FROM " + batch + " b)"
                    + " ORDER BY " + prefixed("r", referenced) + " FOR KEY SHARE OF r)";
        }

        /** Whether a batch row's reference holds: a null in a key column is not checked, as PostgreSQL does it. */
        String holds(String name) {
            return "(" + columns.stream().map(c -> "b." + c + " IS NULL OR ").collect(Collectors.joining())
                    + "(" + prefixed("b", columns) + ") IN (SELECT * FROM " + name + "))";
        }
    }

    static final String READ = """
            SELECT (SELECT array_agg(quote_ident(a.attname) ORDER BY k.n) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
                   quote_ident(ns.nspname) || '.' || quote_ident(t.relname) AS referenced_table,
                   (SELECT array_agg(quote_ident(a.attname) ORDER BY k.n) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS referenced
              FROM pg_constraint con JOIN pg_class t ON t.oid = con.confrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
             WHERE con.conrelid = ?::oid AND con.contype = 'f'
             ORDER BY con.conname""";

    static References read(JdbcTemplate jdbc, long tableOid) {
        return new References(jdbc.query(READ, (rs, n) -> new Reference(strings(rs.getArray("columns")),
                rs.getString("referenced_table"), strings(rs.getArray("referenced"))), tableOid));
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    private static String prefixed(String alias, List<String> columns) {
        return columns.stream().map(c -> alias + "." + c).collect(Collectors.joining(", "));
    }

    /** The name of the {@code n}th key's CTE in a batch. */
    static String cte(int n) {
        return "referenced_" + (n + 1);
    }
}
