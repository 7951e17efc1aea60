package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Applies logged changes: takes the oldest log rows, deletes every copy of each key from the
 * target and copies the source's current row, if any, again. Whatever happened to a row (updated,
 * its key or partition key changed, deleted, deleted by a cascade, inserted again) the copy ends
 * equal to the source, and the log rows go in the same transaction as their effect. Keys the
 * backfill has yet to reach are left to it: it will read them in a later snapshot holding the
 * change.
 */
final class Replay {

    static final String TAKE = """
            DELETE FROM partwarden.conversion_change WHERE conversion_id = ? AND seq IN (
                SELECT seq FROM partwarden.conversion_change WHERE conversion_id = ? AND direction = ?::"char"
                 ORDER BY seq LIMIT ?)
            RETURNING seq, kind, id""";
    static final String PEEK_KEYS = """
            SELECT %s FROM %s WHERE %s IN (SELECT id FROM partwarden.conversion_change
                                             WHERE conversion_id = ? AND direction = ?::"char" ORDER BY seq LIMIT ?)""";
    static final String WAITING = """
            SELECT count(*) FROM (SELECT 1 FROM partwarden.conversion_change
                                   WHERE conversion_id = ? AND direction = ?::"char" LIMIT ?) w""";
    /**
     * The log's oldest rows and the copies of its keys are looked up by key, whatever the
     * statistics say: autovacuum may be off or busy elsewhere, and then neither the log nor the new
     * partitions are ever analyzed. A planner that believes the log holds a few rows sorts all of it
     * for every round; one that knows nothing of a partition's ids scans it whole to find a few
     * (found by the 5,000,000-row benchmark: a million changes waiting, a second a round; then
     * 1.3 s to delete the copies of 200 keys).
     */
    static final String IN_KEY_ORDER = "SET LOCAL enable_sort = off";
    static final String BY_INDEX = "SET LOCAL enable_seqscan = off";
    static final String PLANNER_DEFAULTS = "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_sort TO DEFAULT";
    static final String PROGRESS = "UPDATE partwarden.conversion SET updated_at = now() WHERE id = ?";
    static final String DELETE_COPIES = "DELETE FROM %s WHERE %s = ANY (?::bigint[])";
    /** Parameters: the keys (bigint[]), and the conversion's id where rows may be deferred (see {@link References}). */
    static final String COPY = """
            WITH current AS (SELECT %1$s FROM %2$s WHERE %3$s = ANY (?::bigint[])),
                 %4$s
            SELECT count(*) FROM copied""";
    /** The log rows consumed are dead tuples, and autovacuum may be off or busy elsewhere: vacuumed every so many. */
    static final String VACUUM = "VACUUM partwarden.conversion_change";
    static final int VACUUM_EVERY = 100_000;
    /** A TRUNCATE of the plain table: the copy starts again from what the table holds now. */
    static final String RESTART = """
            UPDATE partwarden.conversion SET phase = 'backfilling', rows_copied = 0, updated_at = now(),
                   backfill_to = coalesce((SELECT max(%1$s) FROM %2$s), 0),
                   copied_through = coalesce((SELECT min(%1$s) FROM %2$s) - 1, 0)
             WHERE id = ?""";

    private final JdbcTemplate jdbc;
    private final ConversionTransaction transaction;
    private final ConversionRecords records;
    private final Duration statementTimeout;
    private long takenSinceVacuum;

    Replay(JdbcTemplate jdbc, ConversionTransaction transaction, ConversionRecords records, Duration statementTimeout) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.records = records;
        this.statementTimeout = statementTimeout;
    }

    /**
     * One round in its own transaction; how many log rows it consumed. Rows whose referenced row a
     * delete under way holds are logged again rather than waited for.
     */
    int round(Conversion conversion, String direction, Columns columns, References references, int limit) {
        int applied = transaction.run("apply changes logged on " + conversion.label(), conversion.id(), statementTimeout,
                c -> apply(c, direction, columns, references, limit, true));
        if (applied > 0) {
            Failpoint.reach("conversion.replayed." + direction); // a round committed with its log rows
        }
        takenSinceVacuum += applied;
        if (takenSinceVacuum >= VACUUM_EVERY) {
            takenSinceVacuum = 0;
            jdbc.execute(VACUUM); // outside any transaction; only warns where the service does not own the log
        }
        return applied;
    }

    /**
     * In the caller's transaction, which holds the conversion's row (and, in a cut-over, both
     * tables): every change taken is applied, waiting for the rows its copies reference.
     */
    int apply(Conversion c, String direction, Columns columns, int limit) {
        return apply(c, direction, columns, References.read(jdbc, c.sourceOid()), limit, false);
    }

    private int apply(Conversion c, String direction, Columns columns, References references, int limit, boolean deferLocked) {
        jdbc.execute(IN_KEY_ORDER);
        List<Map<String, Object>> taken = jdbc.queryForList(TAKE, c.id(), c.id(), direction, limit);
        jdbc.execute(PLANNER_DEFAULTS);
        if (taken.isEmpty()) {
            return 0;
        }
        boolean forward = ChangeCapture.FORWARD.equals(direction);
        String source = c.source(); // the plain table before the cut-over, the partitioned one after
        String target = forward ? c.staged() : c.kept();
        Conversion now = c;
        if (taken.stream().anyMatch(row -> "t".equals(String.valueOf(row.get("kind"))))) {
            jdbc.execute("TRUNCATE " + target);
            if (forward) {
                jdbc.update(RESTART.formatted(SqlIdentifier.quote(c.idColumn()), source), c.id());
                now = records.lock(c.id());
            }
        }
        TreeSet<Long> ids = new TreeSet<>();
        for (Map<String, Object> row : taken) {
            Object id = row.get("id");
            if (id != null && !(forward && now.phase() == ConversionPhase.BACKFILLING && now.awaitsBackfill(((Number) id).longValue()))) {
                ids.add(((Number) id).longValue());
            }
        }
        jdbc.update(PROGRESS, c.id()); // applying changes is progress, as copying rows is
        if (!ids.isEmpty()) {
            Long[] keys = ids.toArray(Long[]::new);
            jdbc.execute(BY_INDEX);
            jdbc.update(deleteCopies(c, target), (Object) keys);
            jdbc.execute(PLANNER_DEFAULTS);
            String deferTo = deferLocked ? direction : null;
            jdbc.queryForObject(copy(c, columns, references, source, target, deferTo), Long.class,
                    references.parameters(deferTo, c.id(), (Object) keys));
        }
        return taken.size();
    }

    /** Every copy of the keys given (one parameter, bigint[]) deleted from {@code target}. */
    static String deleteCopies(Conversion c, String target) {
        return DELETE_COPIES.formatted(target, SqlIdentifier.quote(c.idColumn()));
    }

    /**
     * The source's current rows of the keys given copied into {@code target}; with a {@code
     * deferTo} direction, those whose referenced rows a delete under way holds logged there again.
     */
    static String copy(Conversion c, Columns columns, References references, String source, String target, String deferTo) {
        String id = SqlIdentifier.quote(c.idColumn());
        return COPY.formatted(columns.list(), source, id, references.copying("current", target, columns.list(), id, deferTo));
    }

    /** Whether at most {@code most} changes wait. */
    boolean atMost(Conversion c, String direction, int most) {
        Long waiting = jdbc.queryForObject(WAITING, Long.class, c.id(), direction, most + 1);
        return waiting != null && waiting <= most;
    }

    /** The partition keys of the rows the next round would copy, for placing them in months. */
    static String nextKeys(Conversion c) {
        return PEEK_KEYS.formatted(SqlIdentifier.quote(c.keyColumn()), c.source(), SqlIdentifier.quote(c.idColumn()));
    }
}
