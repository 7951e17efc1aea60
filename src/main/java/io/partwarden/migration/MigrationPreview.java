package io.partwarden.migration;

import io.partwarden.catalog.NotValidConstraints;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import io.partwarden.config.ConversionMethod;
import io.partwarden.config.Interval;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.meshhook.MeshHookEvents;
import io.partwarden.plan.IntervalCalendar;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the migration would do to {@code {events-schema}.workflow_events}, read before it has run
 * and without running any of it: create the table, convert it (its rows, size, oldest row's
 * month, the partitions it would make, how long writers would wait, and what would make it
 * refuse), leave it plain for the online conversion ({@link ConversionChoice}: its estimate, size,
 * the disk the copy needs, and what the online conversion would refuse), or adopt it. Only the system catalogs and, for a table of at most
 * {@link #EXACT_SCAN_LIMIT} bytes, the table itself are read, in one read-only transaction: no
 * lock beyond ACCESS SHARE, nothing written, so it runs on a standby too. Partwarden's functions
 * are not installed yet, so nothing here calls them.
 */
@Component
public class MigrationPreview {

    /** A table up to this size is read whole for exact figures; a larger one is estimated from the statistics. */
    static final long EXACT_SCAN_LIMIT = 1L << 30;

    /**
     * docs/benchmarks.md, "Writers during the conversion": about 2 s for 210,000 rows, 39 MB
     * (pg_total_relation_size), on 2 cores. The conversion holds ACCESS EXCLUSIVE for as long.
     */
    static final long BENCH_ROWS = 210_000;
    static final long BENCH_BYTES = 40_837_120;
    static final double BENCH_SECONDS = 2.0;

    /** The months migration 3 gives a new table (the spec's initial setup) and the conversion keeps ahead. */
    static final int MONTHS_BACK = 2;
    static final int MONTHS_AHEAD = 3;

    static final String SERVER_VERSION = "SELECT current_setting('server_version_num')::int";
    static final String FIXED_SETTINGS =
            "SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true)";

    static final String TABLE = """
            SELECT c.relkind::text AS kind, c.reltuples::bigint AS estimated_rows, c.relrowsecurity AS row_security,
                   pg_total_relation_size(c.oid) AS total_bytes, pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size,
                   (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname = 'ts' AND NOT a.attisdropped) AS ts_type,
                   (SELECT count(*) FROM pg_index ix WHERE ix.indrelid = c.oid) AS indexes,
                   EXISTS (SELECT 1 FROM pg_index ix JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'ts'
                            WHERE ix.indrelid = c.oid AND ix.indpred IS NULL AND ix.indkey[0] = a.attnum) AS ts_indexed
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = 'workflow_events'""";
    static final String SCHEMA = """
            SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?) AS schema_exists,
                   to_regclass(format('%I.workflow_runs', ?)) IS NOT NULL AS runs_exist""";
    /** Every row read once: exact count, oldest and newest finite ts, and the rows no month can hold. */
    static final String EXACT = """
            SELECT count(*) AS row_count, min(ts) FILTER (WHERE isfinite(ts)) AS oldest,
                   max(ts) FILTER (WHERE isfinite(ts)) AS newest,
                   count(*) FILTER (WHERE ts IS NULL) AS nulls, count(*) FILTER (WHERE NOT isfinite(ts)) AS infinite
              FROM %s.workflow_events""";
    /** With an index on ts the ends are read from it, whatever the table's size. */
    static final String ENDS_BY_INDEX = """
            SELECT (SELECT ts FROM %1$s.workflow_events WHERE ts > '-infinity' ORDER BY ts LIMIT 1) AS oldest,
                   (SELECT ts FROM %1$s.workflow_events WHERE ts < 'infinity' ORDER BY ts DESC LIMIT 1) AS newest""";
    /** Without one, from the planner's sample (histogram bounds and most common values). */
    static final String ENDS_BY_STATISTICS = """
            SELECT min(v) AS oldest, max(v) AS newest
              FROM pg_stats s
             CROSS JOIN LATERAL unnest(coalesce(s.histogram_bounds::text::timestamptz[], '{}')
                                       || coalesce(s.most_common_vals::text::timestamptz[], '{}')) v
             WHERE s.schemaname = ? AND s.tablename = 'workflow_events' AND s.attname = 'ts' AND isfinite(v)""";
    /** What partwarden.check_convertible refuses, read from the catalog alone. */
    static final String REFUSALS = """
            WITH t AS (SELECT format('%I.workflow_events', ?)::regclass AS oid)
            SELECT 'foreign keys reference it: ' || string_agg(format('%s (%s)', con.conname, con.conrelid::regclass), ', ')
              FROM t JOIN pg_constraint con ON con.confrelid = t.oid AND con.contype = 'f' HAVING count(*) > 0
            UNION ALL
            SELECT 'views depend on it: ' || string_agg(DISTINCT v.oid::regclass::text, ', ')
              FROM t JOIN pg_depend d ON d.refobjid = t.oid AND d.classid = 'pg_rewrite'::regclass
              JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class AND v.oid <> t.oid
            HAVING count(*) > 0
            UNION ALL
            SELECT 'it takes part in table inheritance'
              FROM t WHERE EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = t.oid OR i.inhrelid = t.oid)
            UNION ALL
            SELECT 'unique indexes do not include ts: ' || string_agg(ic.relname, ', ')
              FROM t JOIN pg_index ix ON ix.indrelid = t.oid AND ix.indisunique AND NOT ix.indisprimary
              JOIN pg_class ic ON ic.oid = ix.indexrelid
             WHERE NOT (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'ts') = ANY (ix.indkey::int2[])
            HAVING count(*) > 0""";
    /**
     * What partwarden.check_online_convertible (defer-conversion.sql) refuses beyond
     * check_convertible, read from the catalog alone, in its words.
     */
    static final String ONLINE_REFUSALS = """
            WITH t AS (SELECT format('%I.workflow_events', ?)::regclass AS oid),
            pk AS (SELECT con.conname, count(*) AS key_columns,
                          string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY k.ord) AS described,
                          bool_and(a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS all_integer
                     FROM t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'p'
                    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                    GROUP BY con.conname)
            SELECT 'it has no primary key; the online conversion copies by a single integer primary key'
                   || ' (give it one, or set partwarden.migration.conversion=in-place to convert it in one transaction)'
             WHERE NOT EXISTS (SELECT 1 FROM pk)
            UNION ALL
            SELECT format('its primary key %s is (%s), not one smallint, integer or bigint column; the online conversion copies'
                          || ' by a single integer primary key (set partwarden.migration.conversion=in-place to convert it in one'
                          || ' transaction)', pk.conname, pk.described)
              FROM pk WHERE pk.key_columns <> 1 OR NOT pk.all_integer
            UNION ALL
            SELECT 'foreign keys of it are NOT VALID: ' || string_agg(format('%I (to %s)', con.conname, con.confrelid::regclass), ', '
                                                                      ORDER BY con.conname)
                   || '; the table built beside it gets them before the copy, checked row by row (validate them first)'
              FROM t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f' AND NOT con.convalidated
            HAVING count(*) > 0
            UNION ALL
            SELECT 'foreign keys of it forbid deleting the rows they reference: '
                   || string_agg(format('%I (to %s, ON DELETE %s)', con.conname, con.confrelid::regclass,
                                        CASE con.confdeltype WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END), ', ' ORDER BY con.conname)
                   || '; the table built beside it holds copies until the changes are replayed, and such a delete would fail'
                   || ' on them (make them ON DELETE CASCADE or SET NULL, or convert in place)'
              FROM t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f' AND con.confdeltype IN ('a', 'r')
            HAVING count(*) > 0
            UNION ALL
            SELECT 'publication ' || string_agg(quote_ident(pubname), ', ' ORDER BY pubname) || ' publishes every table'
                   || ' (FOR ALL TABLES), so it would also publish the conversion''s change log (partwarden.conversion_change)'
              FROM pg_publication WHERE puballtables HAVING count(*) > 0
            UNION ALL
            SELECT 'functions whose body is bound to it (BEGIN ATOMIC) would keep reading the old table after the swap: '
                   || string_agg(DISTINCT p.oid::regprocedure::text, ', ')
              FROM t JOIN pg_depend d ON d.refobjid = t.oid AND d.refclassid = 'pg_class'::regclass AND d.classid = 'pg_proc'::regclass
              JOIN pg_proc p ON p.oid = d.objid
             WHERE p.oid IS DISTINCT FROM to_regprocedure(format('%I.get_workflow_run_events(uuid, timestamptz, timestamptz)', ?))
            HAVING count(*) > 0
            UNION ALL
            SELECT format('role %s neither owns it (its owner is %s) nor is a superuser; the online conversion creates triggers'
                          || ' on it and gives the new table its owner', current_user, pg_get_userbyid(c.relowner))
              FROM t JOIN pg_class c ON c.oid = t.oid
             WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
               AND NOT pg_has_role(current_user, c.relowner, 'USAGE')""";
    /** Publications of schema partwarden (FOR TABLES IN SCHEMA, PostgreSQL 15 on). */
    static final String SCHEMA_PUBLICATIONS = """
            SELECT 'publication ' || string_agg(quote_ident(p.pubname), ', ' ORDER BY p.pubname) || ' publishes schema'
                   || ' partwarden (FOR TABLES IN SCHEMA), so it would publish the conversion''s change log'
              FROM pg_publication p JOIN pg_publication_namespace pn ON pn.pnpubid = p.oid
             WHERE pn.pnnspid = (SELECT oid FROM pg_namespace WHERE nspname = 'partwarden')
            HAVING count(*) > 0""";
    static final String PRETTY_SIZE = "SELECT pg_size_pretty(?::bigint)";
    /** The copy's size against the table's, indexes included (design, section 10; not measured). */
    public static final double COPY_FACTOR = 1.1;
    static final String REFERENCED = """
            SELECT DISTINCT confrelid::regclass::text FROM pg_constraint
             WHERE conrelid = format('%I.workflow_events', ?)::regclass AND contype = 'f'
               AND confrelid <> format('%I.workflow_events', ?)::regclass
             ORDER BY 1""";
    static final String LOCK_TABLE = """
            SELECT current_setting('max_locks_per_transaction')::bigint
                   * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint)""";
    static final String RANGE_KEY = """
            SELECT pt.partstrat::text AS strategy, pt.partnatts AS key_columns, a.attname AS key_name,
                   a.atttypid = 'timestamptz'::regtype AS key_timestamptz, pg_get_partkeydef(pt.partrelid) AS key_definition
              FROM pg_partitioned_table pt LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
             WHERE pt.partrelid = format('%I.workflow_events', ?)::regclass""";
    /** The spec's three indexes the parent lacks, as partwarden.has_index_on decides. */
    static final String MISSING_SPEC_INDEXES = """
            WITH t AS (SELECT format('%I.workflow_events', ?)::regclass AS oid)
            SELECT s.label FROM t CROSS JOIN (VALUES ('(run_id)', ARRAY['run_id']::name[]), ('(run_id, ts)', ARRAY['run_id', 'ts']::name[]),
                                                    ('(type)', ARRAY['type']::name[])) s(label, columns)
             WHERE NOT EXISTS (
                     SELECT 1 FROM pg_index ix
                      WHERE ix.indrelid = t.oid AND ix.indpred IS NULL AND ix.indexprs IS NULL
                        AND ix.indkey::int2[] = ARRAY(SELECT a.attnum FROM unnest(s.columns) WITH ORDINALITY c(name, ord)
                                                        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = c.name
                                                       ORDER BY c.ord))""";
    /**
     * A table's partitions as {@code partwarden.partitions} reads them (V8), for a database where
     * it is not installed yet; bounds printed and read back under the fixed settings above.
     */
    static final String PARTITIONS = """
            SELECT n.nspname AS schema_name, c.relname AS partition_name, b.printed = 'DEFAULT' AS is_default,
                   CASE b.parts[1] WHEN 'MINVALUE' THEN '-infinity'::timestamptz WHEN 'MAXVALUE' THEN 'infinity'::timestamptz
                        ELSE substr(b.parts[1], 2, length(b.parts[1]) - 2)::timestamptz END AS lower_bound,
                   CASE b.parts[2] WHEN 'MINVALUE' THEN '-infinity'::timestamptz WHEN 'MAXVALUE' THEN 'infinity'::timestamptz
                        ELSE substr(b.parts[2], 2, length(b.parts[2]) - 2)::timestamptz END AS upper_bound,
                   coalesce((to_jsonb(i) ->> 'inhdetachpending')::boolean, false) AS detach_pending
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS printed) p
             CROSS JOIN LATERAL (SELECT p.printed, regexp_match(p.printed, '^FOR VALUES FROM \\((.*)\\) TO \\((.*)\\)$') AS parts) b
             WHERE i.inhparent = format('%I.%I', ?, ?)::regclass
             ORDER BY 4 NULLS LAST, 2""";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readOnly;
    private final PartwardenProperties properties;
    private final long exactScanLimit;

    @Autowired
    public MigrationPreview(JdbcTemplate jdbc, TransactionTemplate transactions, PartwardenProperties properties) {
        this(jdbc, transactions, properties, EXACT_SCAN_LIMIT);
    }

    /** @param exactScanLimit the size up to which the table is read whole (tests lower it to see the estimates) */
    MigrationPreview(JdbcTemplate jdbc, TransactionTemplate transactions, PartwardenProperties properties, long exactScanLimit) {
        this.exactScanLimit = exactScanLimit;
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
        this.readOnly.setReadOnly(true);
        this.readOnly.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.properties = properties;
    }

    /**
     * What migration 3 would do to the events table.
     *
     * @param lines the description, one line each, to print as comments
     * @param partitionsAfter the table's partitions right after the migration, for planning the
     *     first pass; empty when the migration would refuse or fail
     * @param refused whether the migration would refuse or fail, changing nothing
     */
    public record Preview(TableName events, EventsTableState state, List<String> lines, List<Partition> partitionsAfter,
                          boolean refused) {
    }

    public Preview preview(Instant now) {
        return readOnly.execute(status -> {
            jdbc.queryForList(FIXED_SETTINGS);
            TableName events = new TableName(properties.eventsSchema(), MeshHookEvents.TABLE);
            List<Map<String, Object>> table = jdbc.queryForList(TABLE, properties.eventsSchema());
            if (table.isEmpty()) {
                return absent(events, now);
            }
            Map<String, Object> row = table.get(0);
            EventsTableState state = EventsTableState.of((String) row.get("kind"));
            return switch (state) {
                case PLAIN -> plain(events, row, now);
                case PARTITIONED -> partitioned(events, row);
                default -> new Preview(events, state, List.of("fails: " + events + " exists but is neither a table nor a"
                        + " partitioned table (relkind " + row.get("kind") + "); nothing would change"), List.of(), true);
            };
        });
    }

    /**
     * The oldest and newest finite ts of the events table, as the online plan reads them: from an
     * index on ts, or estimated from the planner's statistics, never by reading the table.
     *
     * @param oldest null where neither tells
     * @param how where they were read, in words
     */
    public record Ends(Instant oldest, Instant newest, String how) {
    }

    public Ends ends(TableName events) {
        return readOnly.execute(status -> {
            jdbc.queryForList(FIXED_SETTINGS);
            boolean indexed = Boolean.TRUE.equals(jdbc.queryForMap(TABLE, events.schema()).get("ts_indexed"));
            Map<String, Object> ends = indexed ? jdbc.queryForMap(ENDS_BY_INDEX.formatted(quoted(events.schema())))
                    : jdbc.queryForMap(ENDS_BY_STATISTICS, events.schema());
            return new Ends(instant(ends.get("oldest")), instant(ends.get("newest")), indexed ? "read from an index on ts"
                    : "estimated from the planner's statistics (pg_stats), a sample: older or newer rows may exist");
        });
    }

    /** {@code server_version_num}, e.g. 150020: whether retirements can detach concurrently. */
    public int serverVersion() {
        return jdbc.queryForObject(SERVER_VERSION, Integer.class);
    }

    /** A table's partitions, read without Partwarden's functions (which an unmigrated database lacks). */
    public List<Partition> partitions(TableName table) {
        return readOnly.execute(status -> {
            jdbc.queryForList(FIXED_SETTINGS);
            return jdbc.query(PARTITIONS, (row, n) -> {
                boolean isDefault = row.getBoolean("is_default");
                return new Partition(row.getString("schema_name"), row.getString("partition_name"), isDefault ? null
                        : new PartitionBounds(SqlTime.instant(row.getObject("lower_bound", OffsetDateTime.class)),
                                SqlTime.instant(row.getObject("upper_bound", OffsetDateTime.class))),
                        isDefault, row.getBoolean("detach_pending"));
            }, table.schema(), table.name());
        });
    }

    private Preview absent(TableName events, Instant now) {
        Map<String, Object> schema = jdbc.queryForMap(SCHEMA, events.schema(), events.schema());
        if (!Boolean.TRUE.equals(schema.get("schema_exists"))) {
            return new Preview(events, EventsTableState.ABSENT, List.of("fails: schema " + events.schema()
                    + " (partwarden.events-schema) does not exist, so " + events + " cannot be created there; nothing would change"),
                    List.of(), true);
        }
        YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        List<Partition> partitions = months(events, current.minusMonths(MONTHS_BACK), current.plusMonths(MONTHS_AHEAD));
        List<String> lines = new ArrayList<>();
        lines.add("creates " + events + " (it does not exist) as the spec's Table Structure, partitioned by range on ts by month,"
                + " with the spec's three indexes and "
                + (Boolean.TRUE.equals(schema.get("runs_exist"))
                        ? "the foreign key to " + events.schema() + ".workflow_runs(id)"
                        : "no foreign key: " + events.schema() + ".workflow_runs does not exist (a warning says so)"));
        lines.add("  makes " + describe(partitions) + " (2 months back to 3 ahead)");
        lines.add("  writers wait for nothing: the table is new");
        return new Preview(events, EventsTableState.ABSENT, lines, partitions, false);
    }

    /** What either conversion refuses, from the catalog alone, as migration 3 and its callback would. */
    private List<String> refusals(TableName events) {
        List<String> refusals = new ArrayList<>(jdbc.queryForList(REFUSALS, String.class, events.schema()));
        refusals.addAll(jdbc.queryForList(NotValidConstraints.REFUSAL, String.class,
                SqlIdentifier.qualified(events.schema(), events.name())));
        new PartitionCatalog(jdbc).distribution(events).conversionRefusal().ifPresent(refusals::add);
        return refusals;
    }

    private Preview plain(TableName events, Map<String, Object> table, Instant now) {
        PartwardenProperties.Migration migration = properties.migration();
        RowEstimate estimate = migration.conversion() == ConversionMethod.AUTO
                ? jdbc.execute((ConnectionCallback<RowEstimate>) connection ->
                        RowEstimate.read(connection, events.schema(), events.name(), migration.onlineAbove()))
                : null;
        ConversionChoice choice = ConversionChoice.resolve(migration.conversion(),
                estimate != null ? estimate : RowEstimate.fromCatalog(-1), migration.onlineAbove());
        if (choice.online()) {
            return online(events, table, choice, estimate, now);
        }
        List<String> lines = new ArrayList<>();
        List<String> refusals = refusals(events);
        lines.add("converts " + events + ", a plain table, to monthly partitions, in one transaction:");
        lines.add("  in place: " + choice.reason());
        String tsType = (String) table.get("ts_type");
        long totalBytes = ((Number) table.get("total_bytes")).longValue();
        long estimatedRows = ((Number) table.get("estimated_rows")).longValue();
        String from = quoted(events.schema());
        long rows;
        Instant oldest = null;
        Instant newest = null;
        String endsHow;
        if (!"timestamp with time zone".equals(tsType)) {
            refusals.add("cannot partition " + events + " by ts: the column is " + (tsType == null ? "missing" : tsType));
            rows = estimatedRows;
            lines.add("  rows: " + rows(rows, false));
            endsHow = null;
        } else if (totalBytes <= exactScanLimit || estimatedRows < 0) {
            Map<String, Object> exact = jdbc.queryForMap(EXACT.formatted(from));
            rows = ((Number) exact.get("row_count")).longValue();
            oldest = instant(exact.get("oldest"));
            newest = instant(exact.get("newest"));
            long nulls = ((Number) exact.get("nulls")).longValue();
            long infinite = ((Number) exact.get("infinite")).longValue();
            if (nulls > 0) {
                refusals.add(nulls + " rows have no ts to place them by");
            }
            if (infinite > 0) {
                refusals.add(infinite + " rows have a ts of infinity or -infinity, which no partition can hold");
            }
            lines.add("  rows: " + rows(rows, true));
            endsHow = "read from the table";
        } else {
            rows = estimatedRows;
            lines.add("  rows: " + rows(rows, false));
            boolean indexed = Boolean.TRUE.equals(table.get("ts_indexed"));
            Map<String, Object> ends = indexed ? jdbc.queryForMap(ENDS_BY_INDEX.formatted(from))
                    : jdbc.queryForMap(ENDS_BY_STATISTICS, events.schema());
            oldest = instant(ends.get("oldest"));
            newest = instant(ends.get("newest"));
            endsHow = indexed ? "read from an index on ts"
                    : "estimated from the planner's statistics (pg_stats), a sample: older or newer rows may exist";
        }
        lines.add("  size: " + table.get("total_size") + " (table, indexes and TOAST)");
        YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        YearMonth first = current.minusMonths(MONTHS_BACK);
        YearMonth last = current.plusMonths(MONTHS_AHEAD);
        if (endsHow == null) {
            lines.add("  oldest row: not read (ts is not a timestamptz)");
        } else if (oldest == null) {
            lines.add("  oldest row: " + (rows == 0 ? "none, the table is empty" : "unknown without reading the whole table"
                    + " (no index on ts, no statistics yet); the conversion reads it"));
        } else {
            lines.add("  oldest row: ts " + oldest + ", month " + month(oldest) + "; newest: ts " + newest + " (" + endsHow + ")");
            first = min(first, month(oldest));
            last = max(last, month(newest));
        }
        List<Partition> partitions = months(events, first, last);
        lines.add("  makes " + describe(partitions) + " (from the oldest row's month, or 2 months back, to 3 months ahead"
                + (oldest != null && month(newest).isAfter(current.plusMonths(MONTHS_AHEAD)) ? " or the newest row's" : "") + ")");
        long lockTable = jdbc.queryForObject(LOCK_TABLE, Long.class);
        long locks = partitions.size() * (3L + ((Number) table.get("indexes")).longValue());
        if (locks > lockTable) {
            refusals.add("it needs " + partitions.size() + " monthly partitions, made in one transaction holding about " + locks
                    + " locks, more than the server's lock table holds (" + lockTable + ")");
        }
        List<String> referenced = jdbc.queryForList(REFERENCED, String.class, events.schema(), events.schema());
        lines.add("  writers wait " + writersWait(rows, totalBytes) + ": the conversion holds ACCESS EXCLUSIVE on " + events
                + (referenced.isEmpty() ? "" : " (and SHARE ROW EXCLUSIVE on " + String.join(", ", referenced) + ")")
                + " from its first statement to its commit, the copy of every row included; an estimate, scaled by rows and"
                + " by size from docs/benchmarks.md (about 2 s for 210,000 rows, 39 MB, on 2 cores), the larger of the two");
        refusals.forEach(refusal -> lines.add("  refuses, changing nothing: " + refusal));
        return new Preview(events, EventsTableState.PLAIN, lines, refusals.isEmpty() ? partitions : List.of(), !refusals.isEmpty());
    }

    /**
     * The online plan: the migration checks the table from the catalog and leaves it plain, the
     * service copies it beside the live table and swaps it in. Nothing is read but the catalog,
     * an index on ts or the planner's statistics: the rows the copy refuses (a null or infinite
     * ts) are found by the service's first scan, before it changes anything.
     */
    private Preview online(TableName events, Map<String, Object> table, ConversionChoice choice, RowEstimate estimate,
                           Instant now) {
        PartwardenProperties.Migration migration = properties.migration();
        List<String> lines = new ArrayList<>();
        List<String> refusals = refusals(events);
        String tsType = (String) table.get("ts_type");
        if (!"timestamp with time zone".equals(tsType)) {
            refusals.add("cannot partition " + events + " by ts: the column is " + (tsType == null ? "missing" : tsType));
        }
        refusals.addAll(jdbc.queryForList(ONLINE_REFUSALS, String.class, events.schema(), events.schema()));
        if (serverVersion() >= 150000) {
            refusals.addAll(jdbc.queryForList(SCHEMA_PUBLICATIONS, String.class));
        }
        DeferredConversion.lockTimeoutProblem(events.toString(), migration.lockTimeout(),
                jdbc.queryForObject(DeferredConversion.DEADLOCK_TIMEOUT, Long.class)).ifPresent(refusals::add);

        long totalBytes = ((Number) table.get("total_bytes")).longValue();
        long estimatedRows = ((Number) table.get("estimated_rows")).longValue();
        lines.add("converts " + events + " online (" + choice.reason() + "): the migration leaves it plain; the service then"
                + " copies it in batches beside the live table and swaps it in a transaction of under a second");
        lines.add("  rows: " + (estimate != null && estimate.counted()
                ? (estimate.bounded() ? "at least " : "") + String.format(Locale.ROOT, "%,d", estimate.rows())
                        + " (counted" + (estimate.bounded() ? " no further" : "") + ": the table was never analyzed)"
                : rows(estimatedRows, false)));
        lines.add("  size: " + table.get("total_size") + " (table, indexes and TOAST)");
        lines.add("  disk: about " + jdbc.queryForObject(PRETTY_SIZE, String.class, Math.round(totalBytes * COPY_FACTOR))
                + " more for the copy (pg_total_relation_size x " + COPY_FACTOR + "), plus about as much WAL until"
                + " checkpoints recycle it; the old table is kept, for a rollback, until --finish-conversion or"
                + " partwarden.migration.online.finish-after");
        YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        YearMonth first = current.minusMonths(MONTHS_BACK);
        YearMonth last = current.plusMonths(MONTHS_AHEAD);
        if ("timestamp with time zone".equals(tsType)) {
            boolean indexed = Boolean.TRUE.equals(table.get("ts_indexed"));
            Map<String, Object> ends = indexed ? jdbc.queryForMap(ENDS_BY_INDEX.formatted(quoted(events.schema())))
                    : jdbc.queryForMap(ENDS_BY_STATISTICS, events.schema());
            Instant oldest = instant(ends.get("oldest"));
            Instant newest = instant(ends.get("newest"));
            if (oldest == null) {
                lines.add("  oldest row: not known without reading the table (no index on ts, no statistics yet); the"
                        + " service's first scan reads it");
            } else {
                lines.add("  oldest row: ts " + oldest + ", month " + month(oldest) + "; newest: ts " + newest + " ("
                        + (indexed ? "read from an index on ts"
                                : "estimated from the planner's statistics (pg_stats), a sample: older or newer rows may exist")
                        + ")");
                first = min(first, month(oldest));
                last = max(last, month(newest));
            }
        }
        List<Partition> partitions = months(events, first, last);
        lines.add("  makes " + describe(partitions) + " on the table built beside it, under the same names");
        lines.add("  writers wait under a second at each step: the capture triggers' install and the swap each wait at most"
                + " partwarden.migration.lock-timeout (" + Spelling.of(migration.lockTimeout()) + ") for their locks, and the"
                + " swap holds them at most partwarden.migration.online.cutover-hold ("
                + Spelling.of(migration.online().cutoverHold()) + ")");
        lines.add("  before copying, the service reads the table once (no lock but ACCESS SHARE) and refuses rows with no ts,"
                + " or a ts of infinity or -infinity, changing nothing");
        lines.add("  each phase's statements, as the service will run them, are printed by --dry-run once the migration has"
                + " run: they are written from the functions and state tables it installs");
        refusals.forEach(refusal -> lines.add("  refuses, changing nothing: " + refusal));
        return new Preview(events, EventsTableState.PLAIN, lines, refusals.isEmpty() ? partitions : List.of(), !refusals.isEmpty());
    }

    private Preview partitioned(TableName events, Map<String, Object> table) {
        List<Map<String, Object>> key = jdbc.queryForList(RANGE_KEY, events.schema());
        Map<String, Object> k = key.get(0);
        if (!"r".equals(k.get("strategy")) || ((Number) k.get("key_columns")).intValue() != 1 || k.get("key_name") == null
                || !Boolean.TRUE.equals(k.get("key_timestamptz"))) {
            return new Preview(events, EventsTableState.PARTITIONED, List.of("fails: " + events + " is partitioned by "
                    + k.get("key_definition") + ", not by range on one timestamptz column; nothing would change"), List.of(), true);
        }
        List<Partition> partitions = partitions(events);
        List<String> missing = jdbc.queryForList(MISSING_SPEC_INDEXES, String.class, events.schema());
        List<String> lines = new ArrayList<>();
        lines.add("adopts " + events + ", already partitioned by " + k.get("key_definition") + " (" + partitions.size()
                + " partitions): no row is rewritten");
        lines.add(missing.isEmpty() ? "  the spec's three indexes are declared already"
                : "  declares the spec's indexes it lacks on " + String.join(", ", missing)
                        + " (each partition's equivalent index is attached, a missing one built)");
        lines.add("  gives every partition the parent's owner and grants (partwarden.sync_partition_access)");
        lines.add("  writers wait while it holds SHARE on " + events + (missing.isEmpty() ? ", briefly"
                : ", for as long as the missing indexes take to build on every partition (" + table.get("total_size") + " in all)"));
        if (!Boolean.TRUE.equals(table.get("row_security"))) {
            lines.add("  warns: row level security is off on " + events + " (the spec's own migration drops it)");
        }
        return new Preview(events, EventsTableState.PARTITIONED, lines, partitions, false);
    }

    /** The monthly partitions the migration makes from {@code first} to {@code last}, named and bounded in UTC as it names them. */
    static List<Partition> months(TableName table, YearMonth first, YearMonth last) {
        IntervalCalendar calendar = new IntervalCalendar(Interval.MONTH, ZoneOffset.UTC);
        List<Partition> partitions = new ArrayList<>();
        for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1)) {
            LocalDate start = month.atDay(1);
            partitions.add(new Partition(table.schema(), calendar.name(table.name(), start), calendar.bounds(start), false, false));
        }
        return partitions;
    }

    private static String describe(List<Partition> partitions) {
        Partition first = partitions.get(0);
        Partition last = partitions.get(partitions.size() - 1);
        return partitions.size() + " monthly partitions, " + month(first.bounds().lower()) + " to " + month(last.bounds().lower())
                + ": " + first.schema() + "." + first.name() + (partitions.size() > 2 ? " ... " : ", ") + last.name();
    }

    /** How long the copy would hold writers, scaled from the benchmark by rows and by size, the larger. */
    static String writersWait(long rows, long bytes) {
        double seconds = Math.max(Math.max(rows, 0) * BENCH_SECONDS / BENCH_ROWS, bytes * BENCH_SECONDS / BENCH_BYTES);
        Duration wait = Duration.ofMillis((long) (seconds * 1000));
        if (wait.toSeconds() < 1) {
            return "under a second";
        }
        if (wait.toSeconds() < 90) {
            return "about " + wait.toSeconds() + " s";
        }
        if (wait.toMinutes() < 90) {
            return "about " + Math.round(seconds / 60) + " min";
        }
        return "about " + String.format(Locale.ROOT, "%.1f", seconds / 3600) + " h";
    }

    private static String rows(long rows, boolean exact) {
        if (exact) {
            return String.format(Locale.ROOT, "%,d (counted)", rows);
        }
        return rows < 0 ? "not estimated yet (the table was never analyzed)"
                : String.format(Locale.ROOT, "about %,d (estimated: pg_class.reltuples, from the last VACUUM or ANALYZE)", rows);
    }

    private static YearMonth month(Instant at) {
        return YearMonth.from(at.atOffset(ZoneOffset.UTC));
    }

    private static YearMonth min(YearMonth a, YearMonth b) {
        return a.isBefore(b) ? a : b;
    }

    private static YearMonth max(YearMonth a, YearMonth b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime at) {
            return SqlTime.instant(at);
        }
        return ((java.sql.Timestamp) value).toInstant();
    }

    /** A name as SQL writes it, for the two statements that read the table itself. */
    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
