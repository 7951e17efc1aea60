package io.partwarden.plan;

import io.partwarden.catalog.TableName;

/**
 * Bring the owner, privileges and row level security of partition {@code schema.name} in line
 * with its parent's, by the rule partitions are made with ({@code partwarden.sync_partition_access}).
 *
 * @param difference what the catalog found differing
 */
public record SyncPartitionAccess(TableName table, String schema, String name, String difference) implements PartitionAction {

    @Override
    public String describe() {
        return "bring the access of " + schema + "." + name + " in line with its parent's (" + difference + ")";
    }

    @Override
    public String kind() {
        return "synced";
    }
}
