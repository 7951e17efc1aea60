package io.partwarden.plan;

import io.partwarden.catalog.TableName;

/** One change the planner wants made to one table. Each is applied, and fails, on its own. */
public sealed interface PartitionAction permits CreatePartition, CreateDefaultPartition, RetirePartition, FinishRetirement,
        CloseRetirement, SyncPartitionAccess {

    TableName table();

    /** What the action does, for logs, reports and the dry run. */
    String describe();

    /** The kind of action, a metric tag: created, retired, archived, synced, closed. */
    String kind();
}
