package io.partwarden.metrics;

import io.partwarden.catalog.SqlTime;
import io.partwarden.conversion.ConversionPhase;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;

/**
 * The latest online conversion of a table as a statistics read found it in
 * {@code partwarden.conversion}, for metrics and health. Read with the table's partitions, in
 * the background, so that a scrape or a probe runs no query.
 *
 * @param backlogChanges changes logged and not yet applied ({@code max(seq) - min(seq) + 1}
 *     of the change log: two probes of its primary key, never a count of its rows)
 * @param updatedAt the last time the conversion's row moved: a batch copied, a phase reached, a
 *     cut-over tried, a failure recorded
 * @param kept the plain table's name once swapped out by the cut-over
 * @param rowsPerSecond how fast the copy ran over about the last minute of reads; null until two
 *     reads of the same copy, and after the cut-over
 */
public record ConversionStats(long id, ConversionPhase phase, long rowsCopied, Long rowsEstimated,
                                 long backlogChanges, String blocked, String lastError, Instant lastErrorAt,
                                 long cutoverAttempts, Instant startedAt, Instant cutoverAt, Instant finishAfter,
                                 Instant updatedAt, String kept, Double rowsPerSecond) {

    /** As long as the {@code PartwardenConversionStalled} alert waits (config/prometheus/alerts.yml). */
    public static final Duration STALLED_AFTER = Duration.ofMinutes(15);

    static final String LATEST = """
            SELECT c.id, c.phase, c.rows_copied, c.rows_estimated, c.blocked, c.last_error, c.last_error_at,
                   c.cutover_attempts, c.started_at, c.cutover_at, c.finish_after, c.updated_at,
                   c.source_schema, c.source_name,
                   (SELECT coalesce(max(w.seq) - min(w.seq) + 1, 0) FROM partwarden.conversion_change w
                     WHERE w.conversion_id = c.id) AS backlog
              FROM partwarden.conversion c
             WHERE c.source_schema = ? AND c.source_name = ?
             ORDER BY c.id DESC LIMIT 1""";

    static final RowMapper<ConversionStats> MAPPER = (ResultSet rs, int row) -> new ConversionStats(
            rs.getLong("id"), ConversionPhase.of(rs.getString("phase")), rs.getLong("rows_copied"),
            rs.getObject("rows_estimated", Long.class), rs.getLong("backlog"), rs.getString("blocked"),
            rs.getString("last_error"), instant(rs, "last_error_at"), rs.getLong("cutover_attempts"),
            instant(rs, "started_at"), instant(rs, "cutover_at"), instant(rs, "finish_after"), instant(rs, "updated_at"),
            // as Conversion.keptName() names it, written as the table label is
            rs.getString("source_schema") + "." + rs.getString("source_name") + "_unpartitioned",
            null);

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return SqlTime.instant(rs.getObject(column, OffsetDateTime.class));
    }

    public ConversionStats withRate(Double rate) {
        return new ConversionStats(id, phase, rowsCopied, rowsEstimated, backlogChanges, blocked, lastError, lastErrorAt,
                cutoverAttempts, startedAt, cutoverAt, finishAfter, updatedAt, kept, rate);
    }

    /**
     * Rows still to copy by the estimate; none once the backfill is done (from {@code catching_up}
     * on, the copy is exact whatever the estimate said); null when the estimate is unknown or the
     * conversion was abandoned before its copy ended.
     */
    public Long rowsLeft() {
        return switch (phase) {
            case PREPARING, STAGING, BACKFILLING -> rowsEstimated == null ? null : Math.max(0, rowsEstimated - rowsCopied);
            case CATCHING_UP, CONVERTED, FINISHED, ROLLED_BACK -> 0L;
            case ABANDONED -> null;
        };
    }

    /** Time to copy the rows left at the current rate; null when either is unknown or nothing is copied now. */
    public Double etaSeconds() {
        Long left = rowsLeft();
        return left == null || rowsPerSecond == null || rowsPerSecond <= 0 ? null : left / rowsPerSecond;
    }

    /** Cut-overs tried that changed nothing: every attempt but the one that swapped the tables. */
    public long failedCutovers() {
        return Math.max(0, cutoverAttempts - succeededCutovers());
    }

    public long succeededCutovers() {
        return cutoverAt == null ? 0 : 1;
    }

    /**
     * Why a conversion before its cut-over needs someone: blocked (it waits for the operator), or
     * no progress for {@link #STALLED_AFTER}. Empty after the cut-over: the application writes to
     * the partitioned table then, whatever becomes of the kept plain one.
     */
    public Optional<String> problem(Instant now) {
        if (!phase.beforeCutover()) {
            return Optional.empty();
        }
        if (blocked != null) {
            return Optional.of("blocked, waiting for the operator: " + blocked);
        }
        Duration still = Duration.between(updatedAt, now);
        if (still.compareTo(STALLED_AFTER) >= 0) {
            return Optional.of("no progress for " + still.withNanos(0) + " (since " + updatedAt + "); the daemon that holds"
                    + " the conversion lock drives it: see its log" + (lastError == null ? "" : " and lastError"));
        }
        return Optional.empty();
    }
}
