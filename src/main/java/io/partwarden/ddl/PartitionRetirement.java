package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.failpoint.Failpoint;
import io.partwarden.plan.CloseRetirement;
import io.partwarden.plan.FinishRetirement;
import io.partwarden.plan.RetirePartition;
import io.partwarden.step.Check;
import io.partwarden.step.Operation;
import io.partwarden.step.Statement;
import io.partwarden.step.Step;
import io.partwarden.step.Transaction;
import io.partwarden.step.Work;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Retires partitions without stalling writers: {@code DETACH ... CONCURRENTLY} ({@link
 * ConcurrentDetach}) takes only SHARE UPDATE EXCLUSIVE on the parent; then the action's {@link
 * Disposal} disposes of the detached table. Where PostgreSQL refuses a concurrent detach (a
 * default partition exists), detach and disposal run in one transaction under the lock timeout,
 * unless the disposal has steps between (an archive file cannot be part of a transaction). Every
 * step is recorded in {@code partwarden.retirement} first, so a crash between detach and drop is
 * finished by the next pass. Each action becomes a list of steps, built once, that the runner
 * executes or the dry run prints.
 */
@Component
public class PartitionRetirement {

    static final String BLOCKER =
            "SELECT partwarden.retirement_blocker(format('%I.%I', ?, ?)::regclass, format('%I.%I', ?, ?)::regclass)";

    private final JdbcTemplate jdbc;
    private final RetirementLog retirements;
    private final ConcurrentDetach detach;
    private final RetiredTableDdl ddl;
    private final Map<OnRetire, Disposal> disposals = new EnumMap<>(OnRetire.class);

    public PartitionRetirement(JdbcTemplate jdbc, RetirementLog retirements, ConcurrentDetach detach, RetiredTableDdl ddl,
                               List<Disposal> disposals) {
        this.jdbc = jdbc;
        this.retirements = retirements;
        this.detach = detach;
        this.ddl = ddl;
        disposals.forEach(d -> this.disposals.put(d.mode(), d));
        for (OnRetire mode : OnRetire.values()) {
            if (!this.disposals.containsKey(mode)) {
                throw new IllegalStateException("no disposal for on-retire: " + Spelling.of(mode));
            }
        }
    }

    public List<Step> steps(RetirePartition action, PartwardenProperties.Table config) {
        TableName table = action.table();
        Partition partition = action.partition();
        Disposal disposal = disposals.get(action.then());
        List<Step> steps = new ArrayList<>();
        // what would fail after the detach fails now, the partition attached
        steps.add(new Work("check " + partition.name() + " can be retired", List.of("-- refused before the detach unless this"
                + " role may drop " + partition.schema() + "." + partition.name() + " (partwarden.retirement_blocker)"
                + (action.then() == OnRetire.ARCHIVE ? " and the archive directory can take it" : "")), () -> {
                    requireDisposable(table, partition);
                    disposal.checkBeforeDetach(table, partition);
                }));
        steps.add(new Work("begin retiring " + partition.name(), List.of("-- recorded in partwarden.retirement: detaching"), () -> {
            retirements.begin(table, partition);
            retirements.requireSameTable(partition);
            Failpoint.reach("retire.begun");
        }));
        List<Step> between = disposal.afterDetach(table, partition, config, null);
        Statement plainDetach = new Statement(detach.statement(table, partition, "plain"));
        if (action.concurrently()) {
            steps.add(detach.concurrently(table, partition, config));
            steps.add(recordDetached(partition));
            steps.addAll(between);
            steps.add(disposing(table, partition, config, disposal));
        } else if (!between.isEmpty()) {
            steps.add(new Transaction(action.describe(), config.lockTimeout(), config.maxAttempts(), List.of(plainDetach,
                    new Check("recorded in partwarden.retirement: detached", () -> retirements.detached(partition)))));
            steps.add(Work.unprinted("detached", () -> Failpoint.reach("retire.detached")));
            steps.addAll(between);
            steps.add(disposing(table, partition, config, disposal));
        } else {
            List<Operation> operations = new ArrayList<>();
            operations.add(plainDetach);
            operations.addAll(disposal.dispose(table, partition, config));
            steps.add(new Transaction(action.describe(), config.lockTimeout(), config.maxAttempts(), operations,
                    failure -> disposal.afterRollback(partition, failure)));
        }
        return steps;
    }

    public List<Step> steps(FinishRetirement action, PartwardenProperties.Table config) {
        TableName table = action.table();
        Partition partition = action.partition();
        Disposal disposal = disposals.get(action.then());
        RetirementState state = retirements.underWay(partition).map(RetirementLog.Entry::state).orElse(null);
        List<Step> steps = new ArrayList<>();
        steps.add(new Work("resume retiring " + partition.name(), List.of("-- resumes the retirement recorded in"
                + " partwarden.retirement" + (state == null ? "" : " (" + state.sql() + ")")), () -> {
                    retirements.begin(table, partition);
                    retirements.requireSameTable(partition);
                }));
        if (partition.detachPending()) {
            steps.add(detach.finish(table, partition, config));
        }
        steps.add(recordDetached(partition));
        steps.addAll(disposal.afterDetach(table, partition, config, state));
        steps.add(disposing(table, partition, config, disposal));
        return steps;
    }

    /** Closes a retirement whose table is gone, touching no table. */
    public List<Step> steps(CloseRetirement action) {
        long id = action.retirement().retirementId();
        return List.of(new Work(action.describe(), List.of(RetirementLog.closeGoneStatement(id)), () -> retirements.closeGone(id)));
    }

    private Work recordDetached(Partition partition) {
        return new Work("record " + partition.name() + " detached", List.of("-- recorded in partwarden.retirement: detached"),
                () -> {
                    retirements.detached(partition);
                    Failpoint.reach("retire.detached");
                });
    }

    /** The disposal's transaction, once the table is locked and known to be the one the retirement began on. */
    private Transaction disposing(TableName table, Partition partition, PartwardenProperties.Table config, Disposal disposal) {
        List<Operation> operations = new ArrayList<>();
        operations.add(new Statement(ddl.lock(partition)));
        operations.add(new Check("it must still be the table the retirement began on (partwarden.retirement_target_problem),"
                + " or this rolls back", () -> retirements.requireSameTable(partition)));
        operations.addAll(disposal.dispose(table, partition, config));
        return new Transaction(Spelling.of(disposal.mode()) + " " + partition.name(), config.lockTimeout(), config.maxAttempts(),
                operations, failure -> disposal.afterRollback(partition, failure));
    }

    /**
     * Refuses, before anything changes, a retirement that could detach the partition and then not
     * dispose of it (its rows out of the parent for good): a partition owned by another role than
     * its parent's, or one this role may not drop.
     */
    private void requireDisposable(TableName table, Partition partition) {
        String blocker = jdbc.queryForObject(BLOCKER, String.class, table.schema(), table.name(), partition.schema(),
                partition.name());
        if (blocker != null) {
            throw new IllegalStateException("not retired, left attached: " + blocker);
        }
    }
}
