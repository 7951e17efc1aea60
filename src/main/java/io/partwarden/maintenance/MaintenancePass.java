package io.partwarden.maintenance;

import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.ddl.PlanExecutor;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.PartitionPlanner;
import io.partwarden.plan.Plan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    private final Clock clock;

    public MaintenancePass(PartwardenProperties properties, PartitionCatalog catalog, PlanExecutor executor, Clock clock) {
        this.properties = properties;
        this.catalog = catalog;
        this.executor = executor;
        this.clock = clock;
    }

    public PassReport run() {
        Instant started = clock.instant();
        List<ActionOutcome> outcomes = new ArrayList<>();
        for (PartwardenProperties.Table table : properties.tables()) {
            Plan plan;
            try {
                plan = PartitionPlanner.plan(table, catalog.read(TableName.parse(table.name())), clock.instant());
            } catch (RuntimeException e) {
                ActionOutcome failed = ActionOutcome.failed(table.name(), "read", "read catalog", e);
                log.error("{}: could not read the catalog: {}", table.name(), failed.error());
                outcomes.add(failed);
                continue;
            }
            plan.notes().forEach(note -> log.warn("{}: {}", table.name(), note));
            // a gap the plan cannot fill is a failure of the pass: rows in it are refused
            plan.uncovered().forEach(gap -> {
                log.error("{}: no partition covers {}: {}", table.name(), gap.range(), gap.why());
                outcomes.add(new ActionOutcome(table.name(), "coverage", "cover " + gap.range(), gap.why()));
            });
            for (PartitionAction action : plan.actions()) {
                outcomes.add(apply(table, action));
            }
        }
        return new PassReport(properties.tables().stream().map(PartwardenProperties.Table::name).toList(), outcomes,
                Duration.between(started, clock.instant()));
    }

    private ActionOutcome apply(PartwardenProperties.Table table, PartitionAction action) {
        try {
            executor.apply(action, table);
            log.info("{}: done", action.describe());
            return new ActionOutcome(table.name(), action.kind(), action.describe(), null);
        } catch (RuntimeException e) {
            ActionOutcome failed = ActionOutcome.failed(table.name(), action.kind(), action.describe(), e);
            log.error("{}: failed: {}", action.describe(), failed.error());
            return failed;
        }
    }
}
