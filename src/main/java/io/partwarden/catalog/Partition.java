package io.partwarden.catalog;

/**
 * One partition as the catalog shows it. A default partition has no bounds.
 *
 * @param schema the partition's own schema, which may differ from its parent's
 * @param detachPending a {@code DETACH ... CONCURRENTLY} was interrupted and must be finalized
 */
public record Partition(String schema, String name, PartitionBounds bounds, boolean isDefault, boolean detachPending) {
}
