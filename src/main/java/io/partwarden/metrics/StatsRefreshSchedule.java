package io.partwarden.metrics;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.DatabaseReady;
import io.partwarden.maintenance.PassFinished;
import io.partwarden.maintenance.DaemonModeCondition;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * In the daemon, statistics are read every {@code partwarden.metrics.refresh-interval} and after
 * every pass; the run-and-exit commands, which serve no metrics, never read them.
 */
@Component
@Conditional(DaemonModeCondition.class)
public class StatsRefreshSchedule {

    private final StatsSnapshot snapshot;
    private final TaskScheduler scheduler;
    private final PartwardenProperties properties;

    public StatsRefreshSchedule(StatsSnapshot snapshot, TaskScheduler scheduler, PartwardenProperties properties) {
        this.snapshot = snapshot;
        this.scheduler = scheduler;
        this.properties = properties;
    }

    /** From the moment the database is reached and migrated: before, there is nothing to read. */
    @EventListener(DatabaseReady.class)
    public void start() {
        scheduler.scheduleWithFixedDelay(snapshot::refresh, properties.metrics().refreshInterval());
    }

    /** A pass changes partitions: read them again at once rather than at the next tick. */
    @EventListener
    public void onPassFinished(PassFinished event) {
        snapshot.refresh();
    }
}
