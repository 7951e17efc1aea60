package io.partwarden.metrics;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.MaintenanceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import io.partwarden.catalog.PartitionBounds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code partitions} health component: per table, its runway, partitions ahead, last success
 * and last error, read from the statistics snapshot. DOWN when a table's runway is shorter than
 * the threshold (one interval unless set), when a range inside its runway has no partition (a
 * coverage gap), when its catalog cannot be read, or when passes have failed too many times in a row; and
 * DOWN while start-up waits for a database that does not accept connections yet (detail {@code database}).
 * A table converted online has a {@code conversion} detail; until its cut-over the table is plain, so
 * its runway is not judged, and it is DOWN when the conversion is blocked or has not moved for
 * {@link ConversionStats#STALLED_AFTER}.
 * Not part of the liveness or readiness probes: a sidecar's readiness gates its whole Pod.
 */
@Component("partitions")
public class PartitionsHealthIndicator implements HealthIndicator {

    private final PartwardenProperties properties;
    private final StatsSnapshot snapshot;
    private final MaintenanceStatus status;
    private final Clock clock;

    public PartitionsHealthIndicator(PartwardenProperties properties, StatsSnapshot snapshot, MaintenanceStatus status,
                                     Clock clock) {
        this.properties = properties;
        this.snapshot = snapshot;
        this.status = status;
        this.clock = clock;
    }

    @Override
    public Health health() {
        Instant now = clock.instant();
        boolean down = status.consecutiveFailures() >= properties.health().maxConsecutiveFailures();
        boolean unknown = false;
        Map<String, Object> tables = new LinkedHashMap<>();
        for (PartwardenProperties.Table table : properties.tables()) {
            Map<String, Object> details = new LinkedHashMap<>();
            TableStats stats = snapshot.tables().get(table.name());
            if (stats == null) {
                details.put("status", "not read yet");
                unknown = true;
            } else if (!stats.catalogUp()) {
                details.put("status", "DOWN");
                details.put("catalogError", stats.error());
                down = true;
            } else if (stats.convertingOnline()) {
                // plain until the cut-over: no partitions to run out of; the conversion says how it goes
                boolean stuck = stats.conversion().problem(now).isPresent();
                down |= stuck;
                details.put("status", stuck ? "DOWN" : "UP");
                details.put("conversion", ConversionHealth.details(stats.conversion(), now));
                details.put("statisticsReadAt", stats.readAt().toString());
            } else {
                Duration runway = stats.runway(now);
                Duration threshold = RunwayThreshold.of(properties, table, now);
                boolean short_ = runway.compareTo(threshold) < 0;
                List<PartitionBounds> gaps = stats.coverageGaps(table, now);
                down |= short_ || !gaps.isEmpty();
                details.put("status", short_ || !gaps.isEmpty() ? "DOWN" : "UP");
                details.put("runway", runway.toString());
                details.put("runwayThreshold", threshold.toString());
                details.put("coveredUntil", stats.coveredUntil().map(Instant::toString).orElse("no partition"));
                if (!gaps.isEmpty()) {
                    // rows in these ranges are refused now, however long the runway
                    details.put("coverageGaps", gaps.stream().map(PartitionBounds::toString).toList());
                }
                details.put("partitionsAhead", stats.partitionsAhead(now));
                if (stats.retirementsUnderWay() > 0) {
                    details.put("retirementsUnderWay", stats.retirementsUnderWay()); // the next pass resumes them
                }
                if (stats.conversion() != null) {
                    details.put("conversion", ConversionHealth.details(stats.conversion(), now));
                }
                details.put("statisticsReadAt", stats.readAt().toString());
            }
            details.put("lastSuccess", status.lastSuccess(table.name()).map(Instant::toString).orElse("none since start"));
            status.lastError(table.name()).ifPresent(error -> details.put("lastError", error));
            tables.put(table.name(), details);
        }
        Optional<MaintenanceStatus.DatabaseWait> waiting = status.databaseWait();
        down |= waiting.isPresent();
        Health.Builder health = down ? Health.down() : unknown ? Health.unknown() : Health.up();
        // nothing is migrated or maintained until the database answers; start-up keeps trying
        waiting.ifPresent(wait -> health.withDetail("database", "unavailable since " + wait.since() + ": " + wait.reason()
                + "; start-up retries, then migrates and runs the first pass"));
        health.withDetail("tables", tables).withDetail("consecutiveFailedPasses", status.consecutiveFailures());
        status.lastError().ifPresent(error -> health.withDetail("lastPassError", error));
        return health.build();
    }
}
