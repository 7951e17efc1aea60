package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.step.Operation;
import io.partwarden.step.Step;
import java.util.List;

/**
 * What becomes of a detached partition: one per {@code on-retire} mode, under the one retirement
 * that detaches, records and hands the table over ({@link PartitionRetirement}), as ShedLock puts
 * one storage accessor under one locking algorithm. Each mode's test extends {@code
 * DisposalContract}.
 */
public interface Disposal {

    OnRetire mode();

    /** Refuses, before anything changes, what would make the disposal fail once the table is detached. */
    default void checkBeforeDetach(TableName table, Partition partition) {
    }

    /**
     * The steps between the detach and the disposing transaction, from the retirement's recorded
     * state ({@code null}: none recorded yet). None: the disposal may share the detach's transaction.
     */
    default List<Step> afterDetach(TableName table, Partition partition, PartwardenProperties.Table config,
                                   RetirementState state) {
        return List.of();
    }

    /** The operations that dispose of the detached table, in a transaction that holds it locked, ending its retirement. */
    List<Operation> dispose(TableName table, Partition partition, PartwardenProperties.Table config);

    /** Told of a failure of the disposing transaction, rolled back: to record what the rollback could not. */
    default void afterRollback(Partition partition, RuntimeException failure) {
    }
}
