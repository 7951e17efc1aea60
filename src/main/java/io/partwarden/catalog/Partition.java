package io.partwarden.catalog;

/**
 * One partition as the catalog shows it. A default partition has no bounds.
 *
 * @param detachPending a {@code DETACH ... CONCURRENTLY} was interrupted and must be finalized
 */
public record Partition(String name, PartitionBounds bounds, boolean isDefault, boolean detachPending) {
}
