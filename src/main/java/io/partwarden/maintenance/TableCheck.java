package io.partwarden.maintenance;

import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.meshhook.MeshHookEvents;
import io.partwarden.plan.IntervalCalendar;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Checks each configured table against the database: it exists, is partitioned by range on the
 * configured timestamptz column, and every name Partwarden would derive from it fits PostgreSQL's
 * 63 bytes (a name too long fails every pass that makes a partition, so it is refused here, at
 * start-up). Each problem names the property to fix. The first part is checked again before the
 * migration, from the system catalogs alone, so that a wrong name stops start-up before the
 * migration has changed anything.
 */
@Component
public class TableCheck {

    static final String RANGE_KEY = "SELECT partwarden.range_key_column(format('%I.%I', ?, ?)::regclass)";

    /** What {@code partwarden.range_key_column} checks, read where Partwarden is not installed yet. */
    static final String SHAPE = """
            SELECT c.relkind::text AS kind, pt.partstrat::text AS strategy, pt.partnatts AS key_columns,
                   a.attname AS key_name, format_type(a.atttypid, a.atttypmod) AS key_type,
                   pg_get_partkeydef(c.oid) AS key_definition
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
              LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]
             WHERE n.nspname = ? AND c.relname = ?""";

    /** Migration 10's table of online conversions. */
    static final String CONVERSION_STATE = "SELECT to_regclass('partwarden.conversion') IS NOT NULL";

    /** PostgreSQL's limit on names, in bytes (NAMEDATALEN - 1). */
    static final int NAME_LIMIT = 63;

    /**
     * The names a partition called {@code partition_name} would bring, derived as
     * partwarden.partition_ddl derives them from the parent's real constraints and indexes, that
     * pass the limit. partition_object_name is called with an empty partition name (so that it
     * does not itself refuse the long name) and the partition's name is put in front, which is
     * what it returns for the partition itself. {@code max_table_bytes}: the longest table name
     * with which that name would fit.
     */
    static final String TOO_LONG_NAMES = """
            WITH p AS (SELECT format('%I.%I', ?, ?)::regclass AS parent, ?::text AS parent_name,
                              ?::text AS partition_name, ?::boolean AS ranged, ?::boolean AS kept),
            derived AS (
              SELECT 1 AS ord, 'partition' AS kind, NULL::text AS source, p.partition_name AS name FROM p
              UNION ALL
              SELECT 2, 'bounds check', NULL, p.partition_name || partwarden.partition_object_name('', '', 'bounds', '_check')
                FROM p WHERE p.ranged
              UNION ALL
              SELECT 3, CASE con.contype WHEN 'p' THEN 'primary key' ELSE 'unique constraint' END, con.conname::text,
                     CASE con.contype WHEN 'p' THEN p.partition_name || '_pkey'
                          ELSE p.partition_name || partwarden.partition_object_name('', p.parent_name, con.conname, '_key') END
                FROM p JOIN pg_constraint con ON con.conrelid = p.parent AND con.contype IN ('p', 'u')
              UNION ALL
              SELECT 4, 'index', ic.relname::text,
                     p.partition_name || partwarden.partition_object_name('', p.parent_name, ic.relname, '_idx')
                FROM p JOIN pg_index ix ON ix.indrelid = p.parent JOIN pg_class ic ON ic.oid = ix.indexrelid
               WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.conrelid = p.parent)
              UNION ALL
              SELECT 5, 'kept table', NULL, partwarden.kept_name(p.partition_name) FROM p WHERE p.kept)
            SELECT d.kind, d.source, d.name, octet_length(d.name) AS bytes,
                   octet_length(p.parent_name) - (octet_length(d.name) - ?) AS max_table_bytes
              FROM derived d, p
             WHERE octet_length(d.name) > ?
             ORDER BY d.ord, d.source
            """;

    /** Any day gives the longest name of its interval: every field of the names has a fixed width. */
    static final LocalDate ANY_DAY = LocalDate.of(2000, 12, 31);

    private final JdbcTemplate jdbc;

    public TableCheck(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Before the migration: every configured table exists and is partitioned by range on its
     * column, except the events table while the migration is still to create or convert it,
     * which is then checked against what the migration will make of it (partitioned by range on ts).
     *
     * @param events the table the migration creates, converts or adopts
     */
    public List<String> problemsBeforeMigration(PartwardenProperties properties, TableName events) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < properties.tables().size(); i++) {
            problemBeforeMigration(i, properties.tables().get(i), events).ifPresent(problems::add);
        }
        return problems;
    }

    /** The problem of {@code partwarden.tables[index]} before the migration, if it has one. */
    public Optional<String> problemBeforeMigration(int index, PartwardenProperties.Table table, TableName events) {
        TableName name = TableName.parse(table.name());
        String property = "partwarden.tables[" + index + "].";
        List<Map<String, Object>> found = jdbc.queryForList(SHAPE, name.schema(), name.name());
        String kind = found.isEmpty() ? null : (String) found.get(0).get("kind");
        if (name.equals(events) && (kind == null || kind.equals("r"))) {
            return table.column().equals("ts") ? Optional.empty()
                    : Optional.of(property + "column: " + name + " is to be " + (kind == null ? "created" : "converted")
                            + " by the migration, partitioned by range on ts, not on " + table.column());
        }
        if (kind == null) {
            return Optional.of(property + "name: " + name + " does not exist");
        }
        Map<String, Object> shape = found.get(0);
        String key = (String) shape.get("key_name");
        if (!kind.equals("p")) {
            return Optional.of(property + "name: " + name + " is not partitioned ("
                    + (kind.equals("r") ? "a plain table" : "relkind " + kind)
                    + "): Partwarden manages tables declared with PARTITION BY RANGE (a timestamptz column)");
        }
        if (!"r".equals(shape.get("strategy")) || ((Number) shape.get("key_columns")).intValue() != 1 || key == null) {
            return Optional.of(property + "name: " + name + " is partitioned by " + shape.get("key_definition")
                    + ", not by range on one column");
        }
        if (!"timestamp with time zone".equals(shape.get("key_type"))) {
            return Optional.of(property + "name: partition key " + name + "." + key + " is of type " + shape.get("key_type")
                    + ", not timestamptz");
        }
        return table.column().equals(key) ? Optional.empty()
                : Optional.of(property + "column: " + name + " is partitioned by range on " + key + ", not on " + table.column());
    }

    /**
     * After the migration: every configured table is partitioned by range on its column, but the
     * events table where the migration left it plain for the service to convert online (design,
     * section 3), which is then checked against what the conversion will make of it.
     */
    public List<String> problems(PartwardenProperties properties) {
        List<String> problems = new ArrayList<>();
        TableName events = new TableName(properties.eventsSchema(), MeshHookEvents.TABLE);
        for (int i = 0; i < properties.tables().size(); i++) {
            PartwardenProperties.Table table = properties.tables().get(i);
            TableName name = TableName.parse(table.name());
            String property = "partwarden.tables[" + i + "].";
            try {
                boolean online = name.equals(events) && toConvertOnline(name);
                String key = online ? "ts" : jdbc.queryForObject(RANGE_KEY, String.class, name.schema(), name.name());
                if (!table.column().equals(key)) {
                    problems.add(property + "column: " + name + (online ? " is to be converted online by the service, partitioned"
                            : " is partitioned") + " by range on " + key + ", not on " + table.column());
                    continue;
                }
                String partition = new IntervalCalendar(table.interval(), table.timeZone()).name(name.name(), ANY_DAY);
                problems.addAll(tooLongNames(property + "name", name, table, partition, true));
                if (table.defaultPartition()) {
                    problems.addAll(tooLongNames(property + "default-partition", name, table, name.name() + "_default", false));
                }
            } catch (DataAccessException e) {
                problems.add(property + "name: " + name + ": " + e.getMostSpecificCause().getMessage());
            }
        }
        return problems;
    }

    /**
     * A plain table where the online conversion's state table exists (migration 10 ran): the
     * migration left it plain because the conversion is to be online, or it is under way.
     */
    private boolean toConvertOnline(TableName name) {
        List<Map<String, Object>> found = jdbc.queryForList(SHAPE, name.schema(), name.name());
        return !found.isEmpty() && "r".equals(found.get(0).get("kind"))
                && Boolean.TRUE.equals(jdbc.queryForObject(CONVERSION_STATE, Boolean.class));
    }

    /** The names a partition would bring that pass the limit, each with a way out. */
    private List<String> tooLongNames(String property, TableName table, PartwardenProperties.Table config, String partition,
                                      boolean ranged) {
        boolean kept = ranged && config.onRetire() == OnRetire.DETACH;
        List<TooLong> tooLong = jdbc.query(TOO_LONG_NAMES, (row, n) -> new TooLong(row.getString("kind"),
                row.getString("source"), row.getString("name"), row.getInt("bytes"), row.getInt("max_table_bytes")),
                table.schema(), table.name(), table.name(), partition, ranged, kept, NAME_LIMIT, NAME_LIMIT);
        // the partition's own name too long: whatever derives from it is too, and renaming cannot help
        List<TooLong> reported = tooLong.stream().filter(t -> t.kind().equals("partition")).findFirst()
                .map(List::of).orElse(tooLong);
        return reported.stream().map(t -> property + ": " + table + ": " + t.describe(ranged) + " " + t.name() + ", "
                + t.bytes() + " bytes, longer than PostgreSQL's limit of " + NAME_LIMIT + " bytes on names,"
                + " so every pass would fail on it; " + t.wayOut(table, ranged)).toList();
    }

    /** A derived name that passes the limit, and what it is the name of. */
    private record TooLong(String kind, String source, String name, int bytes, int maxTableBytes) {

        String describe(boolean ranged) {
            return switch (kind) {
                case "partition" -> ranged ? "its partitions would be named like" : "its default partition would be named";
                case "bounds check" -> "the CHECK constraint a partition carries until it is attached would be named";
                case "primary key" -> "a partition's copy of the primary key would be named";
                case "unique constraint" -> "a partition's copy of unique constraint " + source + " would be named";
                case "index" -> "a partition's copy of index " + source + " would be named";
                default -> "a retired partition kept by on-retire: detach would be named";
            };
        }

        String wayOut(TableName table, boolean ranged) {
            String shorter = "give the table a name of at most " + Math.max(0, maxTableBytes) + " bytes";
            return switch (kind) {
                case "unique constraint" -> shorter + ", or give constraint " + source + " of " + table + " a shorter name";
                case "index" -> shorter + ", or give index " + table.schema() + "." + source + " a shorter name";
                default -> ranged ? shorter : shorter + ", or leave default-partition unset";
            };
        }
    }
}
