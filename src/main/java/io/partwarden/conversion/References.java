package io.partwarden.conversion;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The rows a table's foreign keys reference, as a copy keeps to the rows whose referenced row is
 * there. A run deleted after a copy's snapshot was taken cascades to events the copy has read:
 * copied, they would fail the foreign key and with it the whole batch, over and over while
 * MeshHook deletes runs; and a run being deleted right now would hold the copy until its cascade
 * commits. So the copy locks the referenced rows FOR KEY SHARE in its own statement, skipping
 * those locked by a delete under way ({@code SKIP LOCKED}), copies the rows whose referenced rows
 * it holds, and logs the keys of the others as changes: replay copies them as they are once the
 * delete is decided (gone, if it committed). Inside the cut-over, where nothing may be left for
 * later, the copy waits for the lock instead.
 */
record References(List<Reference> keys) {

    /**
     * One foreign key: its columns, the table it references and the columns there, all quoted;
     * whether the service's role reads every row of that table (SELECT granted, and no row level
     * security that applies to it).
     */
    record Reference(List<String> columns, String table, List<String> referenced, boolean readWhole) {

        /**
         * True, in a row trigger's body, when the deleted row's referenced row is gone in the
         * deleting transaction: a run deleted, its events going by the cascade.
         */
        String referencedGone() {
            return "(" + columns.stream().map(c -> "OLD." + c + " IS NOT NULL AND ").collect(Collectors.joining())
                    + "NOT EXISTS (SELECT 1 FROM " + table + " r WHERE (" + prefixed("r", referenced) + ") = ("
                    + prefixed("OLD", columns) + ")))";
        }

        /** The referenced rows of the rows read, locked in key order (one order for every copy). */
        String lock(String name, String rows, boolean skipLocked) {
            return name + " AS (SELECT " + prefixed("r", referenced) + " FROM " + table + " r WHERE ("
                    + prefixed("r", referenced) + ") IN (SELECT " + prefixed("b", columns) + " FROM " + rows + " b)"
                    + " ORDER BY " + prefixed("r", referenced) + " FOR KEY SHARE OF r" + (skipLocked ? " SKIP LOCKED" : "") + ")";
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
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS referenced,
                   has_table_privilege(t.oid, 'SELECT')
                     AND (NOT t.relrowsecurity OR me.rolsuper OR me.rolbypassrls
                          OR (t.relowner = me.oid AND NOT t.relforcerowsecurity)) AS read_whole
              FROM pg_constraint con JOIN pg_class t ON t.oid = con.confrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
                   JOIN pg_roles me ON me.rolname = current_user
             WHERE con.conrelid = ?::oid AND con.contype = 'f'
             ORDER BY con.conname""";

    static References read(JdbcTemplate jdbc, long tableOid) {
        return new References(jdbc.query(READ, (rs, n) -> new Reference(strings(rs.getArray("columns")),
                rs.getString("referenced_table"), strings(rs.getArray("referenced")), rs.getBoolean("read_whole")), tableOid));
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }

    private static String prefixed(String alias, List<String> columns) {
        return columns.stream().map(c -> alias + "." + c).collect(Collectors.joining(", "));
    }

    /** Whether a copy given {@code direction} logs rows for later: only where there is a key to hold. */
    boolean defers(String direction) {
        return direction != null && !keys.isEmpty();
    }

    /** A copy's parameters: {@code leading}, then the conversion's id where the copy {@link #defers defers}. */
    Object[] parameters(String direction, long conversionId, Object... leading) {
        if (!defers(direction)) {
            return leading;
        }
        Object[] all = Arrays.copyOf(leading, leading.length + 1);
        all[leading.length] = conversionId;
        return all;
    }

    /** The name of the {@code n}th key's CTE in a copy. */
    static String cte(int n) {
        return "referenced_" + (n + 1);
    }

    /** Logs the rows left out (one parameter, the conversion's id): replay copies them later. */
    static final String DEFER = """
            deferred AS (INSERT INTO partwarden.conversion_change (conversion_id, direction, kind, id)
                         SELECT ?, '%s', 'k', b.%s FROM %s b WHERE NOT (%s) RETURNING 1)""";

    /**
     * The CTEs that copy {@code rows} (a CTE of the columns) into {@code target}, as "copied" (the
     * copy's ids) and, when {@code direction} is given, "deferred" (the keys logged for later).
     * Parameters: the conversion's id, when deferring.
     */
    String copying(String rows, String target, String columnList, String id, String direction) {
        boolean deferring = defers(direction);
        StringBuilder with = new StringBuilder();
        StringBuilder holds = new StringBuilder();
        for (int n = 0; n < keys.size(); n++) {
            with.append(keys.get(n).lock(cte(n), rows, deferring)).append(",\n     ");
            holds.append(n == 0 ? "" : " AND ").append(keys.get(n).holds(cte(n)));
        }
        with.append("copied AS (INSERT INTO ").append(target).append(" (").append(columnList)
                .append(") OVERRIDING SYSTEM VALUE SELECT ").append(columnList).append(" FROM ").append(rows).append(" b")
                .append(keys.isEmpty() ? "" : " WHERE " + holds).append(" RETURNING ").append(id).append(")");
        if (deferring) {
            with.append(",\n     ").append(DEFER.formatted(direction, id, rows, holds));
        }
        return with.toString();
    }
}
