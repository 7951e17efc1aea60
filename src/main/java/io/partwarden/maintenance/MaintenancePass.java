package io.partwarden.maintenance;

import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.ddl.PartitionDdl;
import io.partwarden.plan.CreatePartition;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.PartitionPlanner;
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
 * cannot be read, and an action that fails, are reported and do not stop the others.
 */
@Component
public class MaintenancePass {

    private static final Logger log = LoggerFactory.getLogger(MaintenancePass.class);

    private final PartwardenProperties properties;
    private final PartitionCatalog catalog;
    private final PartitionDdl ddl;
    private final Clock clock;

    public MaintenancePass(PartwardenProperties properties, PartitionCatalog catalog, PartitionDdl ddl, Clock clock) {
        this.properties = properties;
        this.catalog = catalog;
        this.ddl = ddl;
        this.clock = clock;
    }

    public PassReport run() {
        Instant started = clock.instant();
        List<ActionOutcome> outcomes = new ArrayList<>();
        for (PartwardenProperties.Table table : properties.tables()) {
            List<PartitionAction> actions;
            try {
                TableSnapshot snapshot = catalog.read(TableName.parse(table.name()));
                actions = PartitionPlanner.plan(table, snapshot, clock.instant());
            } catch (RuntimeException e) {
                log.error("{}: could not read the catalog: {}", table.name(), e.getMessage());
                outcomes.add(new ActionOutcome(table.name(), "read catalog", e.getMessage()));
                continue;
            }
            for (PartitionAction action : actions) {
                outcomes.add(apply(table, action));
            }
        }
        return new PassReport(outcomes, Duration.between(started, clock.instant()));
    }

    private ActionOutcome apply(PartwardenProperties.Table table, PartitionAction action) {
        try {
            if (action instanceof CreatePartition create) {
                ddl.create(create, table);
            }
            log.info("{}: done", action.describe());
            return new ActionOutcome(table.name(), action.describe(), null);
        } catch (RuntimeException e) {
            log.error("{}: failed: {}", action.describe(), e.getMessage());
            return new ActionOutcome(table.name(), action.describe(), e.getMessage());
        }
    }
}
