package io.partwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.maintenance.MaintenanceStatus;
import io.partwarden.metrics.StatsSnapshot.StatsRefreshed;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.Scrape;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The online conversion's series and health detail, read from {@code partwarden.conversion} rows
 * written here directly, phase by phase, as the engine would leave them: {@code plain} is a plain
 * table being converted, {@code events} a partitioned one (as after its cut-over).
 */
class ConversionObservabilityTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String PLAIN = "public.plain";
    static final String EVENTS = "public.events";

    final MovableClock clock = new MovableClock(Instant.now());
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final PartwardenProperties properties = TestProperties.partwarden(Map.of(
            "tables[0].name", EVENTS, "tables[0].column", "ts", "tables[0].interval", "day", "tables[0].premake", "3",
            "tables[1].name", PLAIN, "tables[1].column", "ts", "metrics.lock-timeout", "300ms"));
    final MaintenanceStatus status = new MaintenanceStatus();
    final PartwardenMetrics metrics = new PartwardenMetrics(registry, status, clock, properties);
    final ConversionMetrics conversionMetrics = new ConversionMetrics(registry);
    StatsSnapshot snapshot;
    PartitionsHealthIndicator health;

    @BeforeAll
    static void tables() {
        TestDatabase db = database.get();
        TestProperties.migrate(db);
        db.execute("""
                CREATE TABLE plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ts timestamptz NOT NULL);
                CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, ts timestamptz NOT NULL) PARTITION BY RANGE (ts);""");
        Engine engine = Engine.on(db, Map.of("tables[0].name", EVENTS, "tables[0].column", "ts", "tables[0].interval", "day",
                "tables[0].premake", "3", "lock.at-least-for", "0s"));
        assertThat(engine.runner().runIfLockFree()).hasValueSatisfying(r -> assertThat(r.converged()).isTrue());
    }

    @BeforeEach
    void wire() {
        database.get().execute("DELETE FROM partwarden.conversion; DELETE FROM partwarden.conversion_change");
        TestDatabase db = database.get();
        PartitionStatsReader reader = new PartitionStatsReader(new JdbcTemplate(db.dataSource()),
                new TransactionTemplate(new DataSourceTransactionManager(db.dataSource())), properties, clock);
        snapshot = new StatsSnapshot(properties, reader, clock, event -> {
            metrics.onStatsRefreshed((StatsRefreshed) event);
            conversionMetrics.onStatsRefreshed((StatsRefreshed) event);
        });
        health = new PartitionsHealthIndicator(properties, snapshot, status, clock);
    }

    @Test
    void aTableThatNeverHadAConversionHasNoConversionSeriesAndNoDetail() {
        begin("plain", "backfilling", 0, 1000L, "now()");
        snapshot.refresh();

        Scrape scrape = scrape();
        assertThat(scrape.find("partwarden_conversion_phase", "table", EVENTS)).isEmpty();
        assertThat(scrape.find("partwarden_conversion_rows_copied", "table", EVENTS)).isEmpty();
        assertThat(scrape.find("partwarden_conversion_cutover_attempts_total", "table", EVENTS)).isEmpty();
        assertThat(tableDetails(health.health(), EVENTS)).doesNotContainKey("conversion");
        assertThat(scrape.value("partwarden_runway_seconds", "table", EVENTS)).isPresent();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBackfillShowsItsPhaseRowsRateEtaAndBacklogAndThePlainTableIsNotDownForItsRunway() {
        long id = begin("plain", "backfilling", 1_000, 10_000L, "now()");
        changes(id, 5);
        snapshot.refresh();
        Scrape first = scrape();
        assertThat(first.value("partwarden_conversion_rows_copied", "table", PLAIN)).contains(1_000.0);
        assertThat(first.find("partwarden_conversion_rows_per_second")).as("one read: no rate yet").isEmpty();
        assertThat(first.find("partwarden_conversion_eta_seconds")).isEmpty();

        database.get().execute("UPDATE partwarden.conversion SET rows_copied = 4000, updated_at = now() WHERE id = " + id);
        clock.advance(Duration.ofSeconds(30));
        snapshot.refresh();

        Scrape scrape = scrape();
        assertThat(scrape.find("partwarden_conversion_phase", "table", PLAIN)).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("phase", "backfilling"))
                .satisfies(s -> assertThat(s.value()).isEqualTo(1.0));
        assertThat(scrape.value("partwarden_conversion_rows_copied", "table", PLAIN)).contains(4_000.0);
        assertThat(scrape.value("partwarden_conversion_rows_left", "table", PLAIN)).contains(6_000.0);
        assertThat(scrape.value("partwarden_conversion_rows_per_second", "table", PLAIN)).contains(100.0);
        assertThat(scrape.value("partwarden_conversion_eta_seconds", "table", PLAIN)).contains(60.0);
        assertThat(scrape.value("partwarden_conversion_backlog_changes", "table", PLAIN)).contains(5.0);
        assertThat(scrape.value("partwarden_conversion_last_progress_timestamp_seconds", "table", PLAIN).orElseThrow())
                .isCloseTo(updatedAt(id), Offset.offset(0.001));
        assertThat(scrape.value("partwarden_conversion_cutover_attempts_total", "table", PLAIN, "outcome", "failed")).contains(0.0);
        assertThat(scrape.find("partwarden_conversion_cutover_timestamp_seconds", "table", PLAIN)).isEmpty();
        // plain until the cut-over: a runway of 0 would raise PartwardenRunwayExhausted for the whole copy
        assertThat(scrape.find("partwarden_runway_seconds", "table", PLAIN)).isEmpty();
        assertThat(scrape.find("partwarden_coverage_gaps", "table", PLAIN)).isEmpty();

        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.UP);
        Map<String, Object> plain = tableDetails(h, PLAIN);
        assertThat(plain).containsEntry("status", "UP").doesNotContainKey("runway");
        assertThat((Map<String, Object>) plain.get("conversion")).containsEntry("phase", "backfilling")
                .containsEntry("rowsCopied", 4_000L).containsEntry("rowsEstimated", 10_000L).containsEntry("rowsLeft", 6_000L)
                .containsEntry("rowsPerSecond", 100L).containsEntry("eta", "PT1M").containsEntry("backlogChanges", 5L)
                .doesNotContainKey("problem");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aConversionThatHasNotMovedFor20MinutesIsDownWithTheReasonAndItsRateFallsToZero() {
        long id = begin("plain", "catching_up", 10_000, 10_000L, "now() - interval '20 minutes'");
        snapshot.refresh();
        clock.advance(Duration.ofSeconds(30));
        snapshot.refresh();

        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.DOWN);
        Map<String, Object> plain = tableDetails(h, PLAIN);
        assertThat(plain).containsEntry("status", "DOWN");
        assertThat((Map<String, Object>) plain.get("conversion")).containsEntry("phase", "catching_up")
                .hasEntrySatisfying("problem", p -> assertThat((String) p).startsWith("no progress for PT20M"));
        Scrape scrape = scrape();
        assertThat(scrape.value("partwarden_conversion_last_progress_timestamp_seconds", "table", PLAIN).orElseThrow())
                .isCloseTo(updatedAt(id), Offset.offset(0.001));
        assertThat(scrape.value("partwarden_conversion_rows_per_second", "table", PLAIN)).contains(0.0);
        assertThat(scrape.value("partwarden_conversion_rows_left", "table", PLAIN)).contains(0.0);
        assertThat(scrape.find("partwarden_conversion_eta_seconds", "table", PLAIN)).isEmpty();

        database.get().execute("UPDATE partwarden.conversion SET updated_at = now() WHERE id = " + id);
        snapshot.refresh();
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBlockedConversionIsDownSayingWhyEvenWithRecentProgress() {
        long id = begin("plain", "backfilling", 500, 10_000L, "now()");
        database.get().execute("UPDATE partwarden.conversion SET blocked = 'a row of public.plain has a NULL ts (id 17)',"
                + " updated_at = now() WHERE id = " + id);
        snapshot.refresh();

        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.DOWN);
        assertThat((Map<String, Object>) tableDetails(h, PLAIN).get("conversion"))
                .containsEntry("blocked", "a row of public.plain has a NULL ts (id 17)")
                .hasEntrySatisfying("problem", p -> assertThat((String) p).contains("waiting for the operator", "NULL ts"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aConvertedTableIsUpSayingRetentionWaitsForTheFinishAndShowsItsCutover() throws Exception {
        long id = begin("events", "converted", 10_000, 9_000L, "now() - interval '2 days'");
        database.get().execute("UPDATE partwarden.conversion SET cutover_attempts = 3 WHERE id = " + id);
        long copy = begin("plain", "backfilling", 10, 10_000L, "now()");
        snapshot.refresh();

        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.UP);
        Map<String, Object> events = tableDetails(h, EVENTS);
        assertThat(events).containsEntry("status", "UP").containsKey("runway");
        assertThat((Map<String, Object>) events.get("conversion")).containsEntry("phase", "converted")
                .containsEntry("rowsLeft", 0L).containsEntry("cutoverAttempts", 3L).doesNotContainKey("problem")
                .containsEntry("retention", "retention waits for --finish-conversion; old table kept as public.events_unpartitioned");

        Scrape scrape = scrape();
        assertThat(scrape.find("partwarden_conversion_phase", "table", EVENTS)).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("phase", "converted"));
        assertThat(scrape.value("partwarden_conversion_cutover_attempts_total", "table", EVENTS, "outcome", "succeeded")).contains(1.0);
        assertThat(scrape.value("partwarden_conversion_cutover_attempts_total", "table", EVENTS, "outcome", "failed")).contains(2.0);
        assertThat(scrape.value("partwarden_conversion_cutover_timestamp_seconds", "table", EVENTS).orElseThrow()).isCloseTo(
                database.get().jdbc().queryForObject("SELECT extract(epoch FROM cutover_at)::float8 FROM partwarden.conversion"
                        + " WHERE id = " + id, Double.class), Offset.offset(0.001));
        assertThat(scrape.find("partwarden_conversion_rows_per_second", "table", EVENTS)).as("nothing copied after the cut-over").isEmpty();
        assertThat(scrape.value("partwarden_runway_seconds", "table", EVENTS)).isPresent();

        // a second read of the backfill gives every series at once: the whole scrape passes promtool
        database.get().execute("UPDATE partwarden.conversion SET rows_copied = 510 WHERE id = " + copy);
        clock.advance(Duration.ofSeconds(10));
        snapshot.refresh();
        String text = registry.scrape();
        assertThat(text).contains("partwarden_conversion_eta_seconds{", "partwarden_conversion_cutover_timestamp_seconds{");
        assertThat(ScrapeConventionsTest.promtoolCheckMetrics(text)).as(text).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aReadThatFailsShowsNoConversionValueOnlyTheCatalogDown() throws Exception {
        begin("plain", "backfilling", 1_000, 10_000L, "now()");
        snapshot.refresh();
        assertThat(scrape().value("partwarden_conversion_rows_copied", "table", PLAIN)).contains(1_000.0);

        try (Connection holder = database.get().connect(); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE partwarden.conversion IN ACCESS EXCLUSIVE MODE");
            snapshot.refresh(); // waits metrics.lock-timeout, then gives up
            holder.rollback();
        }

        Scrape scrape = scrape();
        assertThat(scrape.value("partwarden_catalog_up", "table", PLAIN)).contains(0.0);
        assertThat(scrape.series()).filteredOn(s -> s.name().startsWith("partwarden_conversion_")).isEmpty();
        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.DOWN);
        assertThat(tableDetails(h, PLAIN)).containsKey("catalogError").doesNotContainKey("conversion");

        snapshot.refresh();
        assertThat(scrape().value("partwarden_conversion_rows_copied", "table", PLAIN)).contains(1_000.0);
        assertThat(scrape().value("partwarden_conversion_cutover_attempts_total", "table", PLAIN, "outcome", "failed")).contains(0.0);
    }

    /** A conversion of {@code public.<name>} in {@code phase}, as consistent as the table's checks require. */
    long begin(String name, String phase, long rowsCopied, Long rowsEstimated, String updatedAt) {
        return database.get().jdbc().queryForObject("""
                INSERT INTO partwarden.conversion (source_schema, source_name, source_oid, source_owner, key_column, id_column,
                                                   staged_oid, phase, rows_copied, rows_estimated, cutover_at, ended_at, updated_at)
                SELECT 'public', ?, to_regclass(?)::oid, 'postgres', 'ts', 'id', to_regclass(?)::oid, ?, ?, ?,
                       CASE WHEN ? IN ('converted', 'finished', 'rolled_back') THEN now() - interval '1 day' END,
                       CASE WHEN ? IN ('finished', 'rolled_back', 'abandoned') THEN now() END, %s
                RETURNING id""".formatted(updatedAt), Long.class,
                name, name, name, phase, rowsCopied, rowsEstimated, phase, phase);
    }

    void changes(long conversion, int count) {
        database.get().jdbc().update("""
                INSERT INTO partwarden.conversion_change (conversion_id, direction, kind, id)
                SELECT ?, 'f', 'k', g FROM generate_series(1, ?) g""", conversion, count);
    }

    double updatedAt(long id) {
        return database.get().jdbc().queryForObject(
                "SELECT extract(epoch FROM updated_at)::float8 FROM partwarden.conversion WHERE id = ?", Double.class, id);
    }

    Scrape scrape() {
        return Scrape.parse(registry.scrape());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> tableDetails(Health health, String table) {
        return (Map<String, Object>) ((Map<String, Object>) health.getDetails().get("tables")).get(table);
    }

    /** Real time, moved on by the test, so that two reads of the copy lie a known span apart. */
    static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
