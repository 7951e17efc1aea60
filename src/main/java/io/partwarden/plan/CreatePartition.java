package io.partwarden.plan;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;

/**
 * Make the partition {@code name} of {@code table} holding {@code bounds}, in the parent's
 * schema. Rows of a default partition that fall in {@code bounds} move into it in the same step.
 */
public record CreatePartition(TableName table, String name, PartitionBounds bounds) implements PartitionAction {

    @Override
    public String describe() {
        return "create " + table.schema() + "." + name + " " + bounds;
    }

    @Override
    public String kind() {
        return "created";
    }
}
