package io.partwarden.metrics;

import java.time.Instant;

/**
 * One partition's figures as one statistics read found them.
 *
 * @param lower null for the default partition
 * @param upper null for the default partition
 * @param sizeBytes table, indexes and TOAST (of a Citus partition, summed over its shards);
 *     {@link #UNKNOWN} where it could not be read
 * @param rows pg_class.reltuples, or an exact count where no VACUUM or ANALYZE has run yet (of a
 *     Citus partition, summed over its shards); {@link #UNKNOWN} where it could not be read
 * @param detachPending an interrupted {@code DETACH ... CONCURRENTLY} left it half-detached:
 *     rows in its range are refused, so it covers nothing
 */
public record PartitionStats(String name, Instant lower, Instant upper, boolean isDefault, long sizeBytes, long rows,
                             boolean detachPending) {

    /** A figure not read: shown as no value (NaN), never as 0. */
    public static final long UNKNOWN = -1;

    public PartitionStats(String name, Instant lower, Instant upper, boolean isDefault, long sizeBytes, long rows) {
        this(name, lower, upper, isDefault, sizeBytes, rows, false);
    }

    /** For a gauge: an unknown figure as NaN. */
    static double gaugeValue(long figure) {
        return figure == UNKNOWN ? Double.NaN : figure;
    }
}
