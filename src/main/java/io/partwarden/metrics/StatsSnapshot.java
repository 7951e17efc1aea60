package io.partwarden.metrics;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.ActionOutcome;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The latest statistics of every configured table: refreshed by {@link StatsRefreshSchedule} in
 * the daemon, read by metrics and health, so a scrape or a probe never queries the database.
 */
@Component
public class StatsSnapshot {

    private static final Logger log = LoggerFactory.getLogger(StatsSnapshot.class);

    private final PartwardenProperties properties;
    private final PartitionStatsReader reader;
    private final Clock clock;
    private final AtomicReference<Map<String, TableStats>> latest = new AtomicReference<>(Map.of());
    private final ConversionRate conversionRate = new ConversionRate();

    private final ApplicationEventPublisher events;

    public StatsSnapshot(PartwardenProperties properties, PartitionStatsReader reader, Clock clock,
                         ApplicationEventPublisher events) {
        this.properties = properties;
        this.reader = reader;
        this.clock = clock;
        this.events = events;
    }

    /** Reads every table once; a table that cannot be read is marked down, not left stale. */
    public void refresh() {
        Map<String, TableStats> fresh = new HashMap<>();
        for (PartwardenProperties.Table table : properties.tables()) {
            try {
                fresh.put(table.name(), conversionRate.withRate(reader.read(table.name())));
            } catch (RuntimeException e) {
                String error = ActionOutcome.describe(e);
                log.warn("{}: could not read partition statistics: {}", table.name(), error);
                fresh.put(table.name(), TableStats.failed(table.name(), error, clock.instant()));
            }
        }
        latest.set(Map.copyOf(fresh));
        events.publishEvent(new StatsRefreshed(latest.get()));
    }

    /** Published after each refresh, with what it found. */
    public record StatsRefreshed(Map<String, TableStats> tables) {
    }

    /** By configured table name; empty until the first refresh. */
    public Map<String, TableStats> tables() {
        return latest.get();
    }
}
