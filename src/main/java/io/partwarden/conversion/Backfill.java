package io.partwarden.conversion;

import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code backfilling}: the rows that existed when the capture began, copied in batches by primary
 * key, each batch its own transaction that commits its rows and its checkpoint together. Rows
 * changed meanwhile need no care here: their changes are logged, and replay applies them once the
 * batches have passed them.
 */
final class Backfill {

    /**
     * The range to copy, read once after the capture committed: every row above it was written
     * later, so it is in the change log. Empty table: nothing to copy.
     */
    static final String BOUNDS = """
            UPDATE partwarden.conversion
               SET backfill_to = coalesce((SELECT max(%1$s) FROM %2$s), 0),
                   copied_through = coalesce((SELECT min(%1$s) FROM %2$s) - 1, 0), updated_at = now()
             WHERE id = ? AND backfill_to IS NULL""";
    /**
     * One batch, read and written by one statement: one snapshot for both. Rows whose referenced
     * row a delete holds or has removed are logged for replay, not copied (see {@link References}).
     */
    static final String BATCH = """
            WITH batch AS (SELECT %1$s FROM %2$s WHERE %3$s > ? AND %3$s <= ? ORDER BY %3$s LIMIT ?),
                 %4$s
            SELECT (SELECT count(*) FROM batch) AS read, (SELECT count(*) FROM copied) AS copied,
                   (SELECT max(%3$s) FROM batch) AS last""";
    static final String BATCH_KEYS = "SELECT %s FROM %s WHERE %s > ? AND %s <= ? ORDER BY %s LIMIT ?";
    static final String CHECKPOINT = """
            UPDATE partwarden.conversion SET copied_through = ?, rows_copied = rows_copied + ?, updated_at = now(),
                   phase = CASE WHEN ? >= backfill_to THEN 'catching_up' ELSE phase END
             WHERE id = ? AND phase = 'backfilling'""";

    /** What one batch did: rows read, rows copied (those whose referenced rows were still there). */
    record Batch(long read, long copied, boolean lastOfBackfill) {
    }

    private final JdbcTemplate jdbc;
    private final ConversionTransaction transaction;
    private final Duration statementTimeout;
    private int batches;

    Backfill(JdbcTemplate jdbc, ConversionTransaction transaction, Duration statementTimeout) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.statementTimeout = statementTimeout;
    }

    void readBounds(Conversion conversion) {
        transaction.run("read the range of " + conversion.source(), conversion.id(), Duration.ZERO, c -> {
            jdbc.update(bounds(c), c.id());
            return null;
        });
    }

    /** Copies up to {@code rows} rows after the checkpoint. */
    Batch copy(Conversion conversion, Columns columns, References references, int rows) {
        Batch batch = transaction.run("copy a batch into " + conversion.staged(), conversion.id(), statementTimeout, c -> {
            if (c.phase() != ConversionPhase.BACKFILLING || c.backfillTo() == null) {
                return new Batch(0, 0, false);
            }
            Map<String, Object> done = jdbc.queryForMap(batch(c, columns, references),
                    references.parameters(ChangeCapture.FORWARD, c.id(), c.copiedThrough(), c.backfillTo(), rows));
            long read = ((Number) done.get("read")).longValue();
            long copied = ((Number) done.get("copied")).longValue();
            long upTo = read < rows ? c.backfillTo() : ((Number) done.get("last")).longValue();
            jdbc.update(CHECKPOINT, upTo, copied, upTo, c.id());
            return new Batch(read, copied, upTo >= c.backfillTo());
        });
        if (++batches == 3) {
            Failpoint.reach("conversion.batch"); // the third: rows and checkpoint committed before it
        }
        return batch;
    }

    /** {@link #BOUNDS} for the conversion's tables; its one parameter is the conversion's id. */
    static String bounds(Conversion c) {
        return BOUNDS.formatted(io.partwarden.catalog.SqlIdentifier.quote(c.idColumn()), c.source());
    }

    /**
     * {@link #BATCH} for the conversion's tables; parameters: copied_through, backfill_to, rows, and
     * the conversion's id if the table has foreign keys.
     */
    static String batch(Conversion c, Columns columns, References references) {
        String id = io.partwarden.catalog.SqlIdentifier.quote(c.idColumn());
        return BATCH.formatted(columns.list(), c.source(), id,
                references.copying("batch", c.staged(), columns.list(), id, ChangeCapture.FORWARD));
    }

    /** The keys of the rows the next batch would copy, for placing them in months. */
    static String batchKeys(Conversion c, String id) {
        return BATCH_KEYS.formatted(io.partwarden.catalog.SqlIdentifier.quote(c.keyColumn()), c.source(), id, id, id);
    }
}
