package io.partwarden.plan;

import io.partwarden.catalog.TableName;

/** Make the table's DEFAULT partition {@code name}, which catches rows no partition covers. */
public record CreateDefaultPartition(TableName table, String name) implements PartitionAction {

    @Override
    public String describe() {
        return "create default partition " + table.schema() + "." + name;
    }

    @Override
    public String kind() {
        return "created";
    }
}
