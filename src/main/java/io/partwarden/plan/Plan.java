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

    /** The plan with no partition retired, and a note saying why (when it had retirements). */
    public Plan withoutRetirements(String why) {
        List<PartitionAction> kept = actions.stream().filter(a -> !(a instanceof RetirePartition)).toList();
        if (kept.size() == actions.size()) {
            return this;
        }
        List<String> more = new java.util.ArrayList<>(notes);
        more.add((actions.size() - kept.size()) + " partitions due for retirement are kept: " + why);
        return new Plan(table, kept, more, uncovered);
    }
}
