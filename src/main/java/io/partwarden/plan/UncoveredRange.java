package io.partwarden.plan;

import io.partwarden.catalog.PartitionBounds;

/**
 * A range of the wanted runway that no partition covers and that the plan cannot fill: rows in
 * it are refused (or land in the default partition) until it is.
 *
 * @param why why it is left uncovered
 */
public record UncoveredRange(PartitionBounds range, String why) {
}
