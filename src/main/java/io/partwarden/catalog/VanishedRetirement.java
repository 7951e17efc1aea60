package io.partwarden.catalog;

/**
 * A retirement under way whose table no longer exists: the relation it began on was dropped (by
 * hand, or by the spec's {@code drop_old_workflow_events_partitions}), whatever may now carry its
 * name. It is closed, and nothing is done to any table.
 *
 * @param retirementId its row in {@code partwarden.retirement}
 */
public record VanishedRetirement(long retirementId, String schema, String name, PartitionBounds bounds, RetirementState state) {
}
