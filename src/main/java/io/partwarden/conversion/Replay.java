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
    static final String PROGRESS = "UPDATE partwarden.conversion SET updated_at = now() WHERE id = ?";
    static final String DELETE_COPIES = "DELETE FROM %s WHERE %s = ANY (?::bigint[])";
    static final String COPY = "INSERT INTO %1$s (%2$s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM %3$s WHERE %4$s = ANY (?::bigint[])";
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

    Replay(JdbcTemplate jdbc, ConversionTransaction transaction, ConversionRecords records, Duration statementTimeout) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.records = records;
        this.statementTimeout = statementTimeout;
    }

    /** One round in its own transaction; how many log rows it consumed. */
    int round(Conversion conversion, String direction, Columns columns, int limit) {
        int applied = transaction.run("apply changes logged on " + conversion.label(), conversion.id(), statementTimeout,
                c -> apply(c, direction, columns, limit));
        if (applied > 0) {
            Failpoint.reach("conversion.replayed." + direction); // a round committed with its log rows
        }
        return applied;
    }

    /** In the caller's transaction, which holds the conversion's row. */
    int apply(Conversion c, String direction, Columns columns, int limit) {
        List<Map<String, Object>> taken = jdbc.queryForList(TAKE, c.id(), c.id(), direction, limit);
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
            jdbc.update(deleteCopies(c, target), (Object) keys);
            jdbc.update(copy(c, columns, source, target), (Object) keys);
        }
        return taken.size();
    }

    /** Every copy of the keys given (one parameter, bigint[]) deleted from {@code target}. */
    static String deleteCopies(Conversion c, String target) {
        return DELETE_COPIES.formatted(target, SqlIdentifier.quote(c.idColumn()));
    }

    /** The source's current rows of the keys given (one parameter, bigint[]) copied into {@code target}. */
    static String copy(Conversion c, Columns columns, String source, String target) {
        return COPY.formatted(target, columns.list(), source, SqlIdentifier.quote(c.idColumn()));
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
