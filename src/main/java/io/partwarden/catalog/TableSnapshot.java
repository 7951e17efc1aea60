package io.partwarden.catalog;

import java.util.List;
import java.util.Optional;

/** What one catalog read found of a partitioned table: its partitions, ordered by lower bound. */
public record TableSnapshot(TableName table, List<Partition> partitions) {

    public TableSnapshot {
        partitions = List.copyOf(partitions);
    }

    public List<Partition> ranged() {
        return partitions.stream().filter(p -> !p.isDefault()).toList();
    }

    public Optional<Partition> defaultPartition() {
        return partitions.stream().filter(Partition::isDefault).findFirst();
    }
}
