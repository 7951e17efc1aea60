package io.partwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.partwarden.maintenance.MaintenanceStatus;
import io.partwarden.metrics.StatsSnapshot.StatsRefreshed;
import io.partwarden.testing.TestProperties;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** How the gauges follow the statistics snapshots; no database is involved, only the values it would give. */
class PartwardenMetricsTest {

    static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");
    static final String TABLE = "workflow_events";

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PartwardenMetrics metrics = new PartwardenMetrics(registry, new MaintenanceStatus(),
            Clock.fixed(NOW, ZoneOffset.UTC), TestProperties.defaults());

    @Test
    void aSeriesPresentInConsecutiveSnapshotsIsNeverMissingFromAScrapeInBetween() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread refresher = new Thread(() -> {
            for (long rows = 1; running.get(); rows++) {
                metrics.onStatsRefreshed(snapshot(up(rows)));
            }
        });
        metrics.onStatsRefreshed(snapshot(up(0)));
        refresher.start();
        try {
            for (int i = 0; i < 200_000; i++) {
                assertThat(registry.find("partwarden.partitions").tag("table", TABLE).gauge()).as("scrape " + i).isNotNull();
                assertThat(registry.find("partwarden.partition.rows").tags("table", TABLE, "partition", "p_2026_11").gauge())
                        .as("scrape " + i).isNotNull();
            }
        } finally {
            running.set(false);
            refresher.join();
        }
    }

    @Test
    void gaugesReadTheNewestSnapshotAndAPartitionGoneFromItIsDropped() {
        metrics.onStatsRefreshed(snapshot(up(10)));
        metrics.onStatsRefreshed(snapshot(new TableStats(TABLE, List.of(partition("p_2026_12", 7)), 0, 0, null, NOW)));

        assertThat(registry.find("partwarden.partition.rows").tags("partition", "p_2026_11").gauge()).isNull();
        assertThat(registry.get("partwarden.partition.rows").tags("partition", "p_2026_12").gauge().value()).isEqualTo(7.0);
        assertThat(registry.get("partwarden.partitions").tag("table", TABLE).gauge().value()).isEqualTo(1.0);
    }

    @Test
    void aFigureThatCouldNotBeReadIsShownAsNoValueNotAsZero() {
        PartitionStats unread = new PartitionStats("p_2026_12", NOW, NOW.plusSeconds(86400), false, PartitionStats.UNKNOWN,
                PartitionStats.UNKNOWN);
        PartitionStats defaultUnread = new PartitionStats("p_default", null, null, true, 8192, PartitionStats.UNKNOWN);
        metrics.onStatsRefreshed(snapshot(new TableStats(TABLE, List.of(unread, defaultUnread), 0, 0, null, NOW)));

        assertThat(registry.get("partwarden.partition.rows").tags("partition", "p_2026_12").gauge().value()).isNaN();
        assertThat(registry.get("partwarden.partition.size").tags("partition", "p_2026_12").gauge().value()).isNaN();
        assertThat(registry.get("partwarden.partition.size").tags("partition", "p_default").gauge().value()).isEqualTo(8192.0);
        assertThat(registry.get("partwarden.default.partition.rows").tag("table", TABLE).gauge().value()).isNaN();
    }

    @Test
    void aFailedReadLeavesOnlyCatalogUpAtZero() {
        metrics.onStatsRefreshed(snapshot(up(10)));
        metrics.onStatsRefreshed(snapshot(TableStats.failed(TABLE, "connection refused", NOW)));

        assertThat(registry.get("partwarden.catalog.up").tag("table", TABLE).gauge().value()).isZero();
        assertThat(registry.find("partwarden.partitions").gauges()).isEmpty();
        assertThat(registry.find("partwarden.partition.rows").gauges()).isEmpty();
        assertThat(registry.find("partwarden.runway").gauges()).isEmpty();
    }

    @Test
    void aRangeInsideTheRunwayThatNoPartitionCoversIsCountedWithItsLengthAndAFailedReadShowsNoValue() {
        // the case: a hand-made [11-15, 12-15) and the months after it, but nothing for November 1-14
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PartwardenMetrics monthly = new PartwardenMetrics(registry, new MaintenanceStatus(), Clock.fixed(NOW, ZoneOffset.UTC),
                TestProperties.partwarden(Map.of("tables[0].name", TABLE)));
        monthly.onStatsRefreshed(snapshot(new TableStats(TABLE, List.of(
                range("by_hand", "2026-11-15T00:00:00Z", "2026-12-15T00:00:00Z"),
                range("p_2026_12_rest", "2026-12-15T00:00:00Z", "2027-01-01T00:00:00Z"),
                range("p_2027_01", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"),
                range("p_2027_02", "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z")), 0, 0, null, NOW)));

        assertThat(registry.get("partwarden.coverage.gaps").tag("table", TABLE).gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("partwarden.coverage.gap").tag("table", TABLE).gauge().value()).isEqualTo(14 * 86400.0);

        monthly.onStatsRefreshed(snapshot(TableStats.failed(TABLE, "connection refused", NOW)));
        assertThat(registry.find("partwarden.coverage.gaps").gauges()).isEmpty();
        assertThat(registry.find("partwarden.coverage.gap").gauges()).isEmpty();
    }

    @Test
    void aRunwayShorterThanPremakeIsNoCoverageGapButTheRunwaysConcern() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PartwardenMetrics monthly = new PartwardenMetrics(registry, new MaintenanceStatus(), Clock.fixed(NOW, ZoneOffset.UTC),
                TestProperties.partwarden(Map.of("tables[0].name", TABLE)));
        monthly.onStatsRefreshed(snapshot(up(10)));

        assertThat(registry.get("partwarden.coverage.gaps").tag("table", TABLE).gauge().value()).isZero();
        assertThat(registry.get("partwarden.coverage.gap").tag("table", TABLE).gauge().value()).isZero();
    }

    static PartitionStats range(String name, String lower, String upper) {
        return new PartitionStats(name, Instant.parse(lower), Instant.parse(upper), false, 8192, 0);
    }

    static StatsRefreshed snapshot(TableStats table) {
        return new StatsRefreshed(Map.of(TABLE, table));
    }

    static TableStats up(long rows) {
        return new TableStats(TABLE, List.of(partition("p_2026_11", rows)), 0, 0, null, NOW);
    }

    static PartitionStats partition(String name, long rows) {
        Instant lower = name.equals("p_2026_11") ? Instant.parse("2026-11-01T00:00:00Z") : Instant.parse("2026-12-01T00:00:00Z");
        return new PartitionStats(name, lower, lower.plusSeconds(30L * 86400), false, 8192, rows);
    }
}
