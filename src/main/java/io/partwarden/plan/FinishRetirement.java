package io.partwarden.plan;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;

/**
 * Complete a retirement an earlier pass left half-way: a detach still pending (a timeout or a
 * crash interrupted {@code DETACH ... CONCURRENTLY}) is finalized, then the table is dropped; a
 * table already detached is dropped.
 */
public record FinishRetirement(TableName table, Partition partition) implements PartitionAction {

    @Override
    public String describe() {
        return (partition.detachPending() ? "finalize the pending detach of and drop " : "drop detached ")
                + partition.schema() + "." + partition.name();
    }

    @Override
    public String kind() {
        return "retired";
    }
}
