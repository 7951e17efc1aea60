package io.partwarden.metrics;

import java.time.Instant;

/**
 * One partition's figures as one statistics read found them.
 *
 * @param lower null for the default partition
 * @param upper null for the default partition
 * @param sizeBytes table, indexes and TOAST
 * @param rows pg_class.reltuples, or an exact count where no VACUUM or ANALYZE has run yet
 * @param detachPending an interrupted {@code DETACH ... CONCURRENTLY} left it half-detached:
 *     rows in its range are refused, so it covers nothing
 */
public record PartitionStats(String name, Instant lower, Instant upper, boolean isDefault, long sizeBytes, long rows,
                             boolean detachPending) {

    public PartitionStats(String name, Instant lower, Instant upper, boolean isDefault, long sizeBytes, long rows) {
        this(name, lower, upper, isDefault, sizeBytes, rows, false);
    }
}
