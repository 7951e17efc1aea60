package io.partwarden.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.partwarden.metrics.StatsSnapshot.StatsRefreshed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The {@code partwarden_conversion_*} series: the latest online conversion of each configured
 * table, from the statistics snapshot (a scrape runs no query). A table that never had one has
 * none of these series; a table whose read failed has none either (its {@code
 * partwarden_catalog_up} is 0), never the last values seen. A value that is not known (no
 * estimate, no rate yet) leaves its series out rather than showing 0.
 *
 * <p>Cut-over attempts are a counter, {@code partwarden_conversion_cutover_attempts_total}: the
 * number only grows while a conversion lasts, so {@code increase()} answers "how many failed in
 * the last hour". It is read from {@code partwarden.conversion}, not counted in this process, so
 * it survives a restart and every replica shows the same number whichever drives the
 * conversion; a new conversion starts again from 0, which Prometheus takes as a counter reset.
 */
@Component
public class ConversionMetrics {

    static final List<String> OUTCOMES = List.of("failed", "succeeded");

    private final MeterRegistry registry;
    private final MultiGauge phase;
    private final MultiGauge rowsCopied;
    private final MultiGauge rowsLeft;
    private final MultiGauge rowsPerSecond;
    private final MultiGauge eta;
    private final MultiGauge backlog;
    private final MultiGauge lastProgress;
    private final MultiGauge cutoverAt;
    private final Map<List<String>, FunctionCounter> cutoverAttempts = new HashMap<>();
    private volatile Map<String, ConversionStats> latest = Map.of();

    public ConversionMetrics(MeterRegistry registry) {
        this.registry = registry;
        phase = gauge("partwarden.conversion.phase", null,
                "1 for the phase the table's latest online conversion is in (preparing, staging, backfilling, catching_up,"
                        + " converted, finished, rolled_back, abandoned)");
        rowsCopied = gauge("partwarden.conversion.rows.copied", null, "Rows the online conversion's backfill has copied");
        rowsLeft = gauge("partwarden.conversion.rows.left", null,
                "Rows the backfill has still to copy, by the catalog's estimate (0 once every row is copied)");
        rowsPerSecond = gauge("partwarden.conversion.rows.per.second", null,
                "Rows copied per second over about the last minute, until the cut-over");
        eta = gauge("partwarden.conversion.eta", "seconds", "Time to copy the rows left at the current rate");
        backlog = gauge("partwarden.conversion.backlog.changes", null,
                "Changes to the table logged by the conversion and not yet applied to its other copy");
        lastProgress = gauge("partwarden.conversion.last.progress.timestamp", "seconds",
                "When the conversion's state last moved (a batch, a phase, a cut-over attempt, a recorded failure), as a Unix time");
        cutoverAt = gauge("partwarden.conversion.cutover.timestamp", "seconds",
                "When the cut-over swapped the tables, as a Unix time");
    }

    @EventListener
    public synchronized void onStatsRefreshed(StatsRefreshed event) {
        Map<String, ConversionStats> now = new HashMap<>();
        event.tables().values().stream().filter(t -> t.catalogUp() && t.conversion() != null)
                .forEach(t -> now.put(t.table(), t.conversion()));
        latest = Map.copyOf(now);
        List<MultiGauge.Row<?>> phases = new ArrayList<>();
        now.forEach((table, c) -> {
            String spelled = c.phase().sql();
            phases.add(MultiGauge.Row.of(Tags.of("table", table, "phase", spelled), this,
                    m -> m.value(table, p -> p.phase().sql().equals(spelled) ? 1.0 : null)));
        });
        phase.register(phases);
        rowsCopied.register(rows(now, c -> (double) c.rowsCopied()));
        rowsLeft.register(rows(now, c -> c.rowsLeft() == null ? null : c.rowsLeft().doubleValue()));
        rowsPerSecond.register(rows(now, ConversionStats::rowsPerSecond));
        eta.register(rows(now, ConversionStats::etaSeconds));
        backlog.register(rows(now, c -> (double) c.backlogChanges()));
        lastProgress.register(rows(now, c -> epochSeconds(c.updatedAt())));
        cutoverAt.register(rows(now, c -> c.cutoverAt() == null ? null : epochSeconds(c.cutoverAt())));
        registerCutoverAttempts(now);
    }

    /** A row per table whose conversion has a value now; scraped, each reads the latest snapshot. */
    private List<MultiGauge.Row<?>> rows(Map<String, ConversionStats> now, Function<ConversionStats, Double> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        now.forEach((table, c) -> {
            if (value.apply(c) != null) {
                rows.add(MultiGauge.Row.of(Tags.of("table", table), this, m -> m.value(table, value)));
            }
        });
        return rows;
    }

    private double value(String table, Function<ConversionStats, Double> value) {
        return Optional.ofNullable(latest.get(table)).map(value).orElse(Double.NaN);
    }

    private void registerCutoverAttempts(Map<String, ConversionStats> now) {
        cutoverAttempts.entrySet().removeIf(entry -> {
            boolean gone = !now.containsKey(entry.getKey().get(0));
            if (gone) {
                registry.remove(entry.getValue());
            }
            return gone;
        });
        for (String table : now.keySet()) {
            for (String outcome : OUTCOMES) {
                cutoverAttempts.computeIfAbsent(List.of(table, outcome), key -> FunctionCounter.builder(
                                "partwarden.conversion.cutover.attempts", this,
                                m -> m.value(table, c -> (double) (outcome.equals("failed") ? c.failedCutovers() : c.succeededCutovers())))
                        .description("Cut-overs the table's latest online conversion tried: failed ones changed nothing"
                                + " (a lock or the hold ran out) and are tried again")
                        .tags("table", table, "outcome", outcome).register(registry));
            }
        }
    }

    private static double epochSeconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }

    private MultiGauge gauge(String name, String baseUnit, String description) {
        return MultiGauge.builder(name).baseUnit(baseUnit).description(description).register(registry);
    }
}
