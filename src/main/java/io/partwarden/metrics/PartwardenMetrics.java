package io.partwarden.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.ActionOutcome;
import io.partwarden.maintenance.MaintenanceStatus;
import io.partwarden.maintenance.PassFinished;
import io.partwarden.metrics.StatsSnapshot.StatsRefreshed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Partwarden's meters, in base units, tagged {@code table} (and {@code partition}). Gauges read
 * the last statistics snapshot, so a scrape runs no query. A table whose catalog could not be
 * read keeps only {@code partwarden_catalog_up 0}: its other series are dropped rather than
 * shown stale or as zeros. An online conversion's series are {@link ConversionMetrics}'.
 */
@Component
public class PartwardenMetrics {

    static final List<String> ACTION_KINDS = List.of("created", "retired", "archived", "synced");
    static final List<String> FAILURE_KINDS = List.of("created", "retired", "archived", "synced", "coverage", "read", "pass");

    private final MeterRegistry registry;
    private final MaintenanceStatus status;
    private final Clock clock;
    private final Timer passDuration;
    private final MultiGauge partitionSize;
    private final MultiGauge partitionRows;
    private final MultiGauge partitions;
    private final MultiGauge defaultPartitionRows;
    private final MultiGauge keptTables;
    private final MultiGauge retirementsUnderWay;
    private final MultiGauge runway;
    private final MultiGauge oldestStart;
    private final MultiGauge catalogUp;
    private final MultiGauge lastSuccess;
    private final MultiGauge coverageGaps;
    private final MultiGauge coverageGapSeconds;
    private final List<String> tables;
    private final Map<String, PartwardenProperties.Table> configs;
    private volatile Latest latest = new Latest(Map.of(), Map.of());

    public PartwardenMetrics(MeterRegistry registry, MaintenanceStatus status, Clock clock, PartwardenProperties properties) {
        this.registry = registry;
        this.status = status;
        this.clock = clock;
        passDuration = Timer.builder("partwarden.pass.duration").description("How long maintenance passes take")
                .register(registry);
        partitionSize = gauge("partwarden.partition.size", BaseUnits.BYTES, "Size of a partition: table, indexes and TOAST; of a Citus partition, the sum over its shards");
        partitionRows = gauge("partwarden.partition.rows", null,
                "Rows of a partition, from pg_class.reltuples (of a Citus partition, summed over its shards);"
                        + " counted exactly where no VACUUM or ANALYZE has run yet");
        partitions = gauge("partwarden.partitions", null, "Partitions of the table, the default one included");
        defaultPartitionRows = gauge("partwarden.default.partition.rows", null,
                "Rows in the default partition, which no ranged partition covers");
        keptTables = gauge("partwarden.detached.tables", null,
                "Retired partitions kept as detached tables (on-retire: detach) that still exist");
        retirementsUnderWay = gauge("partwarden.retirements.under.way", null,
                "Retirements begun and not finished (detached tables not yet dropped, archived or kept); the next pass resumes them");
        runway = gauge("partwarden.runway", "seconds", "Time until the end of the newest partition");
        oldestStart = gauge("partwarden.oldest.partition.start.timestamp", "seconds",
                "Lower bound of the oldest partition, as a Unix time: how far back data is kept");
        catalogUp = gauge("partwarden.catalog.up", null, "1 if the last statistics read of the table succeeded, else 0");
        lastSuccess = gauge("partwarden.last.success.timestamp", "seconds",
                "When a pass last left the table with every action done, as a Unix time");
        coverageGaps = gauge("partwarden.coverage.gaps", null,
                "Ranges inside the runway (from the start of the current interval) that no partition covers: rows there are refused");
        coverageGapSeconds = gauge("partwarden.coverage.gap", "seconds", "Total length of those ranges");
        tables = properties.tables().stream().map(PartwardenProperties.Table::name).toList();
        configs = properties.tables().stream().collect(Collectors.toMap(PartwardenProperties.Table::name, t -> t, (a, b) -> a));
        MultiGauge threshold = gauge("partwarden.runway.threshold", "seconds",
                "The runway the table must keep: partwarden.health.runway-threshold, or one interval");
        List<MultiGauge.Row<?>> thresholds = new ArrayList<>();
        properties.tables().forEach(table -> thresholds.add(MultiGauge.Row.of(Tags.of("table", table.name()), table,
                t -> RunwayThreshold.of(properties, t, clock.instant()).toSeconds())));
        threshold.register(thresholds);
        for (PartwardenProperties.Table table : properties.tables()) {
            ACTION_KINDS.forEach(kind -> actions(table.name(), kind));
            FAILURE_KINDS.forEach(kind -> failures(table.name(), kind));
        }
    }

    @EventListener
    public void onPassFinished(PassFinished event) {
        passDuration.record(event.report().took());
        for (ActionOutcome outcome : event.report().outcomes()) {
            if (outcome.succeeded()) {
                actions(outcome.table(), outcome.kind()).increment();
            } else {
                failures(outcome.table(), outcome.kind()).increment();
            }
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        tables.stream().filter(table -> status.lastSuccess(table).isPresent()).forEach(table -> rows.add(MultiGauge.Row.of(
                Tags.of("table", table), status, s -> s.lastSuccess(table).map(at -> (double) at.getEpochSecond()).orElse(Double.NaN))));
        synchronized (this) {
            lastSuccess.register(rows);
        }
    }

    /**
     * Registers a row for each series the new snapshot has and drops those it no longer has.
     * Rows already present stay registered (re-registering would leave a gap a scrape can fall
     * into); every row reads its value from the latest snapshot when scraped.
     */
    @EventListener
    public synchronized void onStatsRefreshed(StatsRefreshed event) {
        latest = Latest.of(event.tables());
        Collection<TableStats> all = event.tables().values();
        List<TableStats> up = all.stream().filter(TableStats::catalogUp).toList();
        List<MultiGauge.Row<?>> upRows = new ArrayList<>();
        all.forEach(t -> upRows.add(MultiGauge.Row.of(Tags.of("table", t.table()), this,
                m -> Optional.ofNullable(m.latest.tables().get(t.table())).map(s -> s.catalogUp() ? 1.0 : 0.0).orElse(Double.NaN))));
        catalogUp.register(upRows);
        partitions.register(tableRows(up, t -> t.partitions().size()));
        defaultPartitionRows.register(tableRows(up, t -> PartitionStats.gaugeValue(t.defaultPartitionRows())));
        keptTables.register(tableRows(up, TableStats::keptTables));
        retirementsUnderWay.register(tableRows(up, TableStats::retirementsUnderWay));
        // a plain table converted online has no partitions to run out of until its cut-over: no
        // runway or coverage shown (as 0 they would raise PartwardenRunwayExhausted for hours)
        List<TableStats> partitioned = up.stream().filter(t -> !t.convertingOnline()).toList();
        // evaluated at each scrape: the runway shrinks between refreshes
        runway.register(tableRows(partitioned, t -> t.runway(clock.instant()).toSeconds()));
        List<TableStats> configured = partitioned.stream().filter(t -> configs.containsKey(t.table())).toList();
        coverageGaps.register(tableRows(configured, t -> gaps(t).size()));
        coverageGapSeconds.register(tableRows(configured,
                t -> gaps(t).stream().mapToLong(g -> Duration.between(g.lower(), g.upper()).toSeconds()).sum()));
        oldestStart.register(tableRows(up.stream().filter(t -> t.oldestStart().isPresent()).toList(),
                t -> t.oldestStart().map(start -> (double) start.getEpochSecond()).orElse(Double.NaN)));
        partitionSize.register(partitionRows(up, p -> PartitionStats.gaugeValue(p.sizeBytes())));
        partitionRows.register(partitionRows(up, p -> PartitionStats.gaugeValue(p.rows())));
    }

    /** Evaluated at each scrape, from the snapshot and the clock: no query. */
    private List<PartitionBounds> gaps(TableStats table) {
        return table.coverageGaps(configs.get(table.table()), clock.instant());
    }

    private List<MultiGauge.Row<?>> tableRows(Collection<TableStats> tables, ToDoubleFunction<TableStats> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (TableStats table : tables) {
            String name = table.table();
            rows.add(MultiGauge.Row.of(Tags.of("table", name), this, m -> m.latest(name).map(value::applyAsDouble).orElse(Double.NaN)));
        }
        return rows;
    }

    private List<MultiGauge.Row<?>> partitionRows(Collection<TableStats> tables, ToDoubleFunction<PartitionStats> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (TableStats table : tables) {
            String name = table.table();
            for (PartitionStats partition : table.partitions()) {
                String partitionName = partition.name();
                rows.add(MultiGauge.Row.of(Tags.of("table", name, "partition", partitionName), this,
                        m -> m.latestPartition(name, partitionName).map(value::applyAsDouble).orElse(Double.NaN)));
            }
        }
        return rows;
    }

    private Optional<PartitionStats> latestPartition(String table, String partition) {
        Latest now = latest;
        return Optional.ofNullable(now.tables().get(table)).filter(TableStats::catalogUp)
                .map(t -> now.partitions().getOrDefault(table, Map.of()).get(partition));
    }

    private Optional<TableStats> latest(String table) {
        return Optional.ofNullable(latest.tables().get(table)).filter(TableStats::catalogUp);
    }

    /** The last snapshot, with its partitions indexed by name so a scrape of 1,000 partitions stays linear. */
    private record Latest(Map<String, TableStats> tables, Map<String, Map<String, PartitionStats>> partitions) {

        static Latest of(Map<String, TableStats> tables) {
            Map<String, Map<String, PartitionStats>> byName = new HashMap<>();
            tables.values().forEach(t -> byName.put(t.table(),
                    t.partitions().stream().collect(Collectors.toMap(PartitionStats::name, p -> p, (a, b) -> a))));
            return new Latest(Map.copyOf(tables), byName);
        }
    }

    private MultiGauge gauge(String name, String baseUnit, String description) {
        return MultiGauge.builder(name).baseUnit(baseUnit).description(description).register(registry);
    }

    private Counter actions(String table, String kind) {
        return Counter.builder("partwarden.actions")
                .description("Partition changes made, by kind; a retirement counts once: archived when its rows went to an"
                        + " archive (on-retire archive, archive-table), else retired")
                .tags("table", table, "kind", kind).register(registry);
    }

    private Counter failures(String table, String action) {
        return Counter.builder("partwarden.failures").description("Partition changes and catalog reads that failed")
                .tags("table", table, "action", action).register(registry);
    }
}
