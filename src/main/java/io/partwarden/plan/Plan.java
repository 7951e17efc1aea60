package io.partwarden.plan;

import io.partwarden.catalog.TableName;
import java.util.List;

/**
 * What one table needs, in the order to apply it: future partitions first, so a failing
 * retirement can never hold them up; then partitions' access brought in line; then retirements.
 *
 * @param notes what the planner noticed, e.g. a gap it fills with a partition narrower than an interval
 * @param uncovered gaps of the wanted runway that no action of this plan fills
 */
public record Plan(TableName table, List<PartitionAction> actions, List<String> notes, List<UncoveredRange> uncovered) {

    public Plan {
        actions = List.copyOf(actions);
        notes = List.copyOf(notes);
        uncovered = List.copyOf(uncovered);
    }

    public Plan(TableName table, List<PartitionAction> actions, List<String> notes) {
        this(table, actions, notes, List.of());
    }
}
