package io.partwarden.plan;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;

/** Make the partition {@code name} of {@code table} holding {@code bounds}. */
public record CreatePartition(TableName table, String name, PartitionBounds bounds) implements PartitionAction {

    @Override
    public String describe() {
        return "create " + table.schema() + "." + name + " " + bounds;
    }
}
