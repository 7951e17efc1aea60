package io.partwarden.maintenance;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.MaintenanceConfiguration.CheckedTables;
import java.time.Instant;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.support.CronTrigger;

/** The daemon: a pass at start-up, then one on every tick of {@code partwarden.schedule}. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@Conditional(DaemonModeCondition.class)
public class MaintenanceSchedule {

    private final PassRunner runner;
    private final TaskScheduler scheduler;
    private final PartwardenProperties properties;

    public MaintenanceSchedule(PassRunner runner, TaskScheduler scheduler, PartwardenProperties properties,
                               CheckedTables checked) {
        this.runner = runner;
        this.scheduler = scheduler;
        this.properties = properties;
    }

    /**
     * The schedule as bound and validated in {@link PartwardenProperties}; the pass at start-up on
     * the scheduler's thread, so start-up does not wait for it.
     */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        scheduler.schedule(runner::runIfLockFree, new CronTrigger(properties.schedule(), properties.scheduleZone()));
        if (properties.passAtStartup()) {
            scheduler.schedule(runner::runIfLockFree, Instant.now());
        }
    }
}
