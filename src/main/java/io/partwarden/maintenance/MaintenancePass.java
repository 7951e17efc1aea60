package io.partwarden.maintenance;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.conversion.Conversion;
import io.partwarden.conversion.ConversionDriver;
import io.partwarden.conversion.ConversionPhase;
import io.partwarden.conversion.ConversionRecords;
import io.partwarden.ddl.ConcurrentDetach;
import io.partwarden.ddl.PlanExecutor;
import io.partwarden.plan.FinishRetirement;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.PartitionPlanner;
import io.partwarden.plan.Plan;
import io.partwarden.plan.RetirePartition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One pass over every configured table: read the catalog, plan, apply, report. A table that
 * cannot be read, and an action that fails, are reported and stop neither the table's other
 * actions nor the other tables.
 */
@Component
public class MaintenancePass {

    private static final Logger log = LoggerFactory.getLogger(MaintenancePass.class);

    private final PartwardenProperties properties;
    private final PartitionCatalog catalog;
    private final PlanExecutor executor;
    private final ConversionRecords conversions;
    private final Clock clock;

    public MaintenancePass(PartwardenProperties properties, PartitionCatalog catalog, PlanExecutor executor,
                           ConversionDriver conversion, Clock clock) {
        this.properties = properties;
        this.conversions = conversion.records();
        this.catalog = catalog;
        this.executor = executor;
        this.clock = clock;
    }

    public PassReport run() {
        Instant started = clock.instant();
        List<ActionOutcome> outcomes = new ArrayList<>();
        for (PartwardenProperties.Table table : properties.tables()) {
            TableName name = TableName.parse(table.name());
            Optional<Conversion> latest = conversions.latest(name.schema(), name.name());
            Optional<Conversion> converting = latest.filter(c -> c.phase().beforeCutover());
            if (converting.isPresent()) {
                // the plain table has no partitions to keep; the conversion's own driver makes them
                log.info("{}: being converted online ({}); maintained once it is partitioned", table.name(),
                        converting.get().phase().sql());
                continue;
            }
            if (latest.filter(c -> c.phase().givenUp())
                    .filter(c -> conversions.isPlainTable(c)).isPresent()) {
                outcomes.add(new ActionOutcome(table.name(), "read", "read catalog", table.name() + " is a plain table:"
                        + " its online conversion was " + latest.get().phase().sql() + " by the operator; --convert starts"
                        + " it again"));
                log.error("{}: a plain table; its online conversion was {} by the operator: --convert starts it again",
                        table.name(), latest.get().phase().sql());
                continue;
            }
            Plan plan;
            try {
                plan = PartitionPlanner.plan(table, catalog.read(TableName.parse(table.name())), clock.instant());
            } catch (RuntimeException e) {
                ActionOutcome failed = ActionOutcome.failed(table.name(), "read", "read catalog", e);
                log.error("{}: could not read the catalog: {}", table.name(), failed.error());
                outcomes.add(failed);
                continue;
            }
            if (latest.filter(c -> c.phase() == ConversionPhase.CONVERTED).isPresent()) {
                // a rollback carries back only the rows still in the table: none may be retired before the finish
                plan = plan.withoutRetirements("retention waits for --finish-conversion, the kept plain table "
                        + latest.get().kept() + " (a rollback would bring retired rows back)");
            }
            plan.notes().forEach(note -> log.warn("{}: {}", table.name(), note));
            // a gap the plan cannot fill is a failure of the pass: rows in it are refused
            plan.uncovered().forEach(gap -> {
                log.error("{}: no partition covers {}: {}", table.name(), gap.range(), gap.why());
                outcomes.add(new ActionOutcome(table.name(), "coverage", "cover " + gap.range(), gap.why()));
            });
            applyAll(table, plan, outcomes);
        }
        return new PassReport(properties.tables().stream().map(PartwardenProperties.Table::name).toList(), outcomes,
                Duration.between(started, clock.instant()));
    }

    /**
     * Applies the table's actions in order. PostgreSQL allows one pending detach per table: while
     * one is left pending, the table's later concurrent retirements are not attempted (each would
     * be refused with PostgreSQL's hint to FINALIZE). They are logged as waiting, not counted as
     * failures: the pending detach is the table's failure, already reported, and keeps the pass
     * from converging; the next pass finishes it, then retires them.
     */
    private void applyAll(PartwardenProperties.Table table, Plan plan, List<ActionOutcome> outcomes) {
        Optional<String> pendingDetach = Optional.empty();
        for (PartitionAction action : plan.actions()) {
            if (pendingDetach.isPresent() && action instanceof RetirePartition retire && retire.concurrently()) {
                logWaiting(action, pendingDetach.get());
                continue;
            }
            try {
                executor.apply(action, table);
                log.info("{}: done", action.describe());
                outcomes.add(new ActionOutcome(table.name(), action.kind(), action.describe(), null));
            } catch (RuntimeException e) {
                ActionOutcome failed = ActionOutcome.failed(table.name(), action.kind(), action.describe(), e);
                log.error("{}: failed: {}", action.describe(), failed.error());
                outcomes.add(failed);
                if (e instanceof ConcurrentDetach.DetachLeftPending left) {
                    pendingDetach = Optional.of(left.partition());
                } else if (e instanceof ConcurrentDetach.WaitsForPendingDetach waits) {
                    // left pending by someone else since the catalog was read: the table's failure in this pass
                    pendingDetach = Optional.of(waits.pending());
                } else if (action instanceof RetirePartition || action instanceof FinishRetirement) {
                    pendingDetach = pendingDetach.or(() -> pendingDetach(table)); // whatever stopped it, a detach may be pending
                }
            }
        }
    }

    private static void logWaiting(PartitionAction action, String pending) {
        log.warn("{}: waits for the pending detach of {}, which the next pass finishes first"
                + " (PostgreSQL allows one per table); not attempted in this pass", action.describe(), pending);
    }

    /** The table's detach-pending partition, if any; empty if the catalog cannot be read either. */
    private Optional<String> pendingDetach(PartwardenProperties.Table table) {
        try {
            return catalog.read(TableName.parse(table.name())).partitions().stream().filter(Partition::detachPending)
                    .map(p -> p.schema() + "." + p.name()).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
