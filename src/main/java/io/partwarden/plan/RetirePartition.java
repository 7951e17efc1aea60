package io.partwarden.plan;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;

/**
 * Detach a partition whose whole range lies before the retention cutoff, then drop it.
 *
 * @param concurrently detach with {@code DETACH ... CONCURRENTLY}, which writers never wait
 *     for; otherwise a plain detach under the lock timeout, for the reason given
 * @param why why the detach is plain, or why the partition is retired
 * @param then what becomes of the detached table
 */
public record RetirePartition(TableName table, Partition partition, boolean concurrently, String why, OnRetire then)
        implements PartitionAction {

    @Override
    public String describe() {
        return "retire " + partition.schema() + "." + partition.name() + " " + partition.bounds()
                + (concurrently ? "" : " (plain detach: " + why + ")") + FinishRetirement.disposal(then, partition);
    }

    @Override
    public String kind() {
        return FinishRetirement.kind(then);
    }
}
