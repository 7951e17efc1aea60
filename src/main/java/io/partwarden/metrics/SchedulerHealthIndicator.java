package io.partwarden.metrics;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.MaintenanceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code scheduler} health component, part of the liveness probe: DOWN only when a pass has
 * been running for longer than the replicas' lock allows ({@code partwarden.lock.at-most-for}),
 * that is, the process is stuck and restarting it is the cure. It never looks at the database.
 */
@Component("scheduler")
public class SchedulerHealthIndicator implements HealthIndicator {

    private final MaintenanceStatus status;
    private final Duration stuckAfter;
    private final Clock clock;

    public SchedulerHealthIndicator(MaintenanceStatus status, PartwardenProperties properties, Clock clock) {
        this.status = status;
        this.stuckAfter = properties.lock().atMostFor();
        this.clock = clock;
    }

    @Override
    public Health health() {
        return status.passStartedAt()
                .filter(started -> Duration.between(started, clock.instant()).compareTo(stuckAfter) > 0)
                .map(started -> Health.down().withDetail("passRunningSince", started.toString())
                        .withDetail("stuckAfter", stuckAfter.toString()).build())
                .orElseGet(() -> Health.up().withDetail("passRunningSince",
                        status.passStartedAt().map(Instant::toString).orElse("no pass running")).build());
    }
}
