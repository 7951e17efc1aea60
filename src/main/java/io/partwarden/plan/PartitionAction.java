package io.partwarden.plan;

import io.partwarden.catalog.TableName;

/** One change the planner wants made to one table. Each is applied, and fails, on its own. */
public sealed interface PartitionAction permits CreatePartition {

    TableName table();

    /** What the action does, for logs and reports. */
    String describe();
}
