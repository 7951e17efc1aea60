package io.partwarden.maintenance;

import io.partwarden.config.PartwardenProperties;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;

/**
 * The daemon: once the database is reached and migrated, a pass at once, then one on every tick
 * of {@code partwarden.schedule}; when the next scheduled pass will run is logged at the start
 * and after every pass.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@Conditional(DaemonModeCondition.class)
public class MaintenanceSchedule {

    private static final Logger log = LoggerFactory.getLogger(MaintenanceSchedule.class);

    private final PassRunner runner;
    private final ConversionRunner conversion;
    private final TaskScheduler scheduler;
    private final PartwardenProperties properties;
    private final Clock clock;

    public MaintenanceSchedule(PassRunner runner, ConversionRunner conversion, TaskScheduler scheduler,
                               PartwardenProperties properties, Clock clock) {
        this.runner = runner;
        this.conversion = conversion;
        this.scheduler = scheduler;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * The schedule as bound and validated in {@link PartwardenProperties}; the pass at start-up on
     * the scheduler's thread, so start-up does not wait for it.
     */
    @EventListener(DatabaseReady.class)
    public void start() {
        scheduler.schedule(this::pass, new CronTrigger(properties.schedule(), properties.scheduleZone()));
        if (properties.passAtStartup()) {
            scheduler.schedule(this::pass, Instant.now());
        }
        logNextScheduledPass();
        Thread driving = new Thread(conversion::driveForever, "partwarden-conversion");
        driving.setDaemon(true); // holds no lock between slices: stopping mid-sleep loses nothing
        driving.start();
    }

    private void pass() {
        runner.runIfLockFree();
        logNextScheduledPass();
    }

    void logNextScheduledPass() {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(properties.scheduleZone()));
        ZonedDateTime next = CronExpression.parse(properties.schedule()).next(now);
        log.info("Next scheduled maintenance pass at {} (partwarden.schedule '{}' in {})",
                next == null ? "never" : next.toOffsetDateTime(), properties.schedule(), properties.scheduleZone());
    }
}
