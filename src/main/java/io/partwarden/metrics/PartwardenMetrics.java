package io.partwarden.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.ActionOutcome;
import io.partwarden.maintenance.MaintenanceStatus;
import io.partwarden.maintenance.PassFinished;
import io.partwarden.metrics.StatsSnapshot.StatsRefreshed;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Partwarden's meters, in base units, tagged {@code table} (and {@code partition}). Gauges read
 * the last statistics snapshot, so a scrape runs no query. A table whose catalog could not be
 * read keeps only {@code partwarden_catalog_up 0}: its other series are dropped rather than
 * shown stale or as zeros.
 */
@Component
public class PartwardenMetrics {

    static final List<String> ACTION_KINDS = List.of("created", "retired", "archived");
    static final List<String> FAILURE_KINDS = List.of("created", "retired", "read", "pass");

    private final MeterRegistry registry;
    private final MaintenanceStatus status;
    private final Clock clock;
    private final Timer passDuration;
    private final MultiGauge partitionSize;
    private final MultiGauge partitionRows;
    private final MultiGauge partitions;
    private final MultiGauge defaultPartitionRows;
    private final MultiGauge keptTables;
    private final MultiGauge runway;
    private final MultiGauge oldestStart;
    private final MultiGauge catalogUp;
    private final MultiGauge lastSuccess;
    private final List<String> tables;

    public PartwardenMetrics(MeterRegistry registry, MaintenanceStatus status, Clock clock, PartwardenProperties properties) {
        this.registry = registry;
        this.status = status;
        this.clock = clock;
        passDuration = Timer.builder("partwarden.pass.duration").description("How long maintenance passes take")
                .register(registry);
        partitionSize = gauge("partwarden.partition.size", BaseUnits.BYTES, "Size of a partition: table, indexes and TOAST");
        partitionRows = gauge("partwarden.partition.rows", null,
                "Rows of a partition, from pg_class.reltuples; counted exactly where no VACUUM or ANALYZE has run yet");
        partitions = gauge("partwarden.partitions", null, "Partitions of the table, the default one included");
        defaultPartitionRows = gauge("partwarden.default.partition.rows", null,
                "Rows in the default partition, which no ranged partition covers");
        keptTables = gauge("partwarden.detached.tables", null,
                "Retired partitions kept as detached tables (on-retire: detach) that still exist");
        runway = gauge("partwarden.runway", "seconds", "Time until the end of the newest partition");
        oldestStart = gauge("partwarden.oldest.partition.start.timestamp", "seconds",
                "Lower bound of the oldest partition, as a Unix time: how far back data is kept");
        catalogUp = gauge("partwarden.catalog.up", null, "1 if the last statistics read of the table succeeded, else 0");
        lastSuccess = gauge("partwarden.last.success.timestamp", "seconds",
                "When a pass last left the table with every action done, as a Unix time");
        tables = properties.tables().stream().map(PartwardenProperties.Table::name).toList();
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
        lastSuccess.register(rows(tables, table -> status.lastSuccess(table).isPresent(),
                table -> Tags.of("table", table), table -> status.lastSuccess(table).orElseThrow().getEpochSecond()), true);
    }

    @EventListener
    public void onStatsRefreshed(StatsRefreshed event) {
        Collection<TableStats> tables = event.tables().values();
        catalogUp.register(rows(tables, t -> true, t -> Tags.of("table", t.table()), t -> t.catalogUp() ? 1 : 0), true);
        List<TableStats> up = tables.stream().filter(TableStats::catalogUp).toList();
        partitions.register(rows(up, t -> true, PartwardenMetrics::tableTags, t -> t.partitions().size()), true);
        defaultPartitionRows.register(rows(up, t -> true, PartwardenMetrics::tableTags, TableStats::defaultPartitionRows), true);
        keptTables.register(rows(up, t -> true, PartwardenMetrics::tableTags, TableStats::keptTables), true);
        List<MultiGauge.Row<?>> runways = new ArrayList<>();
        // evaluated at each scrape: the runway shrinks between refreshes
        up.forEach(t -> runways.add(MultiGauge.Row.of(tableTags(t), t, s -> s.runway(clock.instant()).toMillis() / 1000.0)));
        runway.register(runways, true);
        oldestStart.register(rows(up, t -> t.oldestStart().isPresent(), PartwardenMetrics::tableTags,
                t -> t.oldestStart().orElseThrow().getEpochSecond()), true);
        List<MultiGauge.Row<?>> sizes = new ArrayList<>();
        List<MultiGauge.Row<?>> rowCounts = new ArrayList<>();
        for (TableStats table : up) {
            for (PartitionStats partition : table.partitions()) {
                Tags tags = Tags.of("table", table.table(), "partition", partition.name());
                sizes.add(MultiGauge.Row.of(tags, partition.sizeBytes()));
                rowCounts.add(MultiGauge.Row.of(tags, partition.rows()));
            }
        }
        partitionSize.register(sizes, true);
        partitionRows.register(rowCounts, true);
    }

    private MultiGauge gauge(String name, String baseUnit, String description) {
        return MultiGauge.builder(name).baseUnit(baseUnit).description(description).register(registry);
    }

    private Counter actions(String table, String kind) {
        return Counter.builder("partwarden.actions").description("Partition changes made, by kind")
                .tags("table", table, "kind", kind).register(registry);
    }

    private Counter failures(String table, String action) {
        return Counter.builder("partwarden.failures").description("Partition changes and catalog reads that failed")
                .tags("table", table, "action", action).register(registry);
    }

    private static Tags tableTags(TableStats table) {
        return Tags.of("table", table.table());
    }

    private static <T> List<MultiGauge.Row<?>> rows(Collection<T> items, java.util.function.Predicate<T> include,
                                                   Function<T, Tags> tags, ToDoubleFunction<T> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        items.stream().filter(include).forEach(item -> rows.add(MultiGauge.Row.of(tags.apply(item), value.applyAsDouble(item))));
        return rows;
    }
}
