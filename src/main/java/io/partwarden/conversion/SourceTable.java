package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The plain table to convert as the catalog describes it: what the online method copies by (one
 * integer primary key column) and what it copies (every stored column).
 */
public record SourceTable(String schema, String name, long oid, String owner, String keyColumn, String idColumn,
                          List<String> columns) {

    static final String PLAIN_TABLE = """
            SELECT c.oid, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND c.relkind = 'r'""";
    /** The primary key's columns with their types, in key order. */
    static final String PRIMARY_KEY = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
              FROM pg_constraint con CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             WHERE con.conrelid = ? AND con.contype = 'p' ORDER BY k.ord""";
    static final List<String> INTEGER_TYPES = List.of("smallint", "integer", "bigint");

    /** The table if it is a plain one; refused, naming why, if the online method cannot copy it. */
    static Optional<SourceTable> read(JdbcTemplate jdbc, String schema, String name, String keyColumn) {
        var found = jdbc.queryForList(PLAIN_TABLE, schema, name);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        long oid = ((Number) found.get(0).get("oid")).longValue();
        String owner = (String) found.get(0).get("owner");
        var key = jdbc.queryForList(PRIMARY_KEY, oid);
        String label = schema + "." + name;
        if (key.isEmpty()) {
            throw new ConversionRefused(label + " has no primary key: the online conversion copies by a single integer"
                    + " primary key column; add one, or set partwarden.migration.conversion=in-place to convert it in one"
                    + " transaction (writers wait for the whole copy)");
        }
        if (key.size() != 1 || !INTEGER_TYPES.contains((String) key.get(0).get("type"))) {
            throw new ConversionRefused(label + "'s primary key is (" + key.stream()
                    .map(k -> k.get("attname") + " " + k.get("type")).reduce((a, b) -> a + ", " + b).orElse("")
                    + "): the online conversion copies by a single smallint, integer or bigint primary key column;"
                    + " set partwarden.migration.conversion=in-place to convert it in one transaction");
        }
        List<String> columns = jdbc.queryForList(Columns.STORED, String.class, oid);
        return Optional.of(new SourceTable(schema, name, oid, owner, keyColumn, (String) key.get(0).get("attname"), columns));
    }

    String qualified() {
        return SqlIdentifier.qualified(schema, name);
    }
}
