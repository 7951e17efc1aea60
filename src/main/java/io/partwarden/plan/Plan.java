package io.partwarden.plan;

import io.partwarden.catalog.TableName;
import java.util.List;

/**
 * What one table needs, in the order to apply it: future partitions first, so a failing
 * retirement can never hold them up; then retirements.
 *
 * @param notes what the planner noticed and left alone, e.g. a range another partition holds
 */
public record Plan(TableName table, List<PartitionAction> actions, List<String> notes) {

    public Plan {
        actions = List.copyOf(actions);
        notes = List.copyOf(notes);
    }
}
