package io.partwarden.catalog;

import java.util.List;
import java.util.Optional;

/**
 * What one catalog read found of a partitioned table.
 *
 * @param partitions its partitions, ordered by lower bound, the default one last
 * @param detachedLeftovers tables a retirement detached but did not get to drop
 * @param vanishedRetirements retirements under way whose table is gone
 * @param serverVersion {@code server_version_num}, e.g. 150020
 * @param accessDrifts partitions whose access differs from the parent's, in partition order
 */
public record TableSnapshot(TableName table, List<Partition> partitions, List<Partition> detachedLeftovers,
                            List<VanishedRetirement> vanishedRetirements, int serverVersion, List<AccessDrift> accessDrifts,
                            Distribution distribution) {

    /** PostgreSQL 14 brought {@code DETACH PARTITION ... CONCURRENTLY}. */
    static final int CONCURRENT_DETACH_SINCE = 140000;

    public TableSnapshot {
        partitions = List.copyOf(partitions);
        detachedLeftovers = List.copyOf(detachedLeftovers);
        vanishedRetirements = List.copyOf(vanishedRetirements);
        accessDrifts = List.copyOf(accessDrifts);
    }

    public TableSnapshot(TableName table, List<Partition> partitions, List<Partition> detachedLeftovers,
                         List<VanishedRetirement> vanishedRetirements, int serverVersion, List<AccessDrift> accessDrifts) {
        this(table, partitions, detachedLeftovers, vanishedRetirements, serverVersion, accessDrifts, Distribution.LOCAL);
    }

    public TableSnapshot(TableName table, List<Partition> partitions, List<Partition> detachedLeftovers, int serverVersion) {
        this(table, partitions, detachedLeftovers, List.of(), serverVersion, List.of());
    }

    public TableSnapshot(TableName table, List<Partition> partitions) {
        this(table, partitions, List.of(), List.of(), 150000, List.of());
    }

    public List<Partition> ranged() {
        return partitions.stream().filter(p -> !p.isDefault()).toList();
    }

    public Optional<Partition> defaultPartition() {
        return partitions.stream().filter(Partition::isDefault).findFirst();
    }

    public boolean supportsConcurrentDetach() {
        return serverVersion >= CONCURRENT_DETACH_SINCE;
    }
}
