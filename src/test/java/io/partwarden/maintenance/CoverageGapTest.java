package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.partwarden.metrics.PartitionsHealthIndicator;
import io.partwarden.metrics.PartwardenMetrics;
import io.partwarden.metrics.StatsSnapshot;
import io.partwarden.metrics.StatsSnapshot.StatsRefreshed;
import io.partwarden.testing.Engine;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A range inside the runway that no partition covers refuses its rows, however long the runway:
 * the pass fills it where it can, and --verify, --once's exit code, health and a metric report it.
 */
@ExtendWith(OutputCaptureExtension.class)
class CoverageGapTest {

    static final YearMonth MONTH = YearMonth.now(ZoneOffset.UTC);

    static String at(YearMonth month, int day) {
        return month.atDay(day) + " 00:00:00+00";
    }

    static String utc(YearMonth month, int day) {
        return month.atDay(day).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    }

    static String partition(YearMonth month) {
        return String.format("samples_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    /** A monthly table whose only partition was made by hand from the 15th of this month to the 15th of the next. */
    static TestDatabase tableWithHandMadePartition(String hint) {
        TestDatabase db = TestDatabase.create(hint);
        TestProperties.migrate(db);
        db.execute("""
                CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at);
                CREATE TABLE samples_by_hand PARTITION OF samples FOR VALUES FROM ('%s') TO ('%s');"""
                .formatted(at(MONTH, 15), at(MONTH.plusMonths(1), 15)));
        return db;
    }

    static final String[] SAMPLES = {"--partwarden.tables[0].name=samples", "--partwarden.tables[0].column=at"};

    static String[] with(String command, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(command));
        args.addAll(List.of(SAMPLES));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDaysAHandMadePartitionLeftUncoveredAreReportedThenFilledByThePass(CapturedOutput output) {
        try (TestDatabase db = tableWithHandMadePartition("coverage_by_hand")) {
            String firstDays = "[" + utc(MONTH, 1) + ", " + utc(MONTH, 15) + ")";
            assertThatThrownBy(() -> db.execute("INSERT INTO samples VALUES ('" + at(MONTH, 2) + "')"))
                    .hasMessageContaining("no partition of relation");

            assertThat(OnceCommandTest.run(db, with("--verify"))).isEqualTo(1);
            assertThat(output.getOut()).contains("PROBLEM public.samples: coverage gap: no partition covers " + firstDays);

            Engine engine = Engine.on(db, Map.of("tables[0].name", "samples", "tables[0].column", "at"));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            PartwardenMetrics metrics = new PartwardenMetrics(registry, engine.status(), Clock.systemUTC(), engine.properties());
            StatsSnapshot snapshot = new StatsSnapshot(engine.properties(), Engine.statsOn(db), Clock.systemUTC(),
                    event -> metrics.onStatsRefreshed((StatsRefreshed) event));
            PartitionsHealthIndicator health = new PartitionsHealthIndicator(engine.properties(), snapshot, engine.status(),
                    Clock.systemUTC());
            snapshot.refresh();
            Health before = health.health();
            assertThat(before.getStatus()).isEqualTo(Status.DOWN);
            assertThat((Map<String, Object>) ((Map<String, Object>) before.getDetails().get("tables")).get("samples"))
                    .containsEntry("status", "DOWN").containsEntry("coverageGaps", List.of(firstDays));
            assertThat(registry.get("partwarden.coverage.gaps").tag("table", "samples").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("partwarden.coverage.gap").tag("table", "samples").gauge().value()).isEqualTo(14 * 86400.0);

            assertThat(OnceCommandTest.runOnce(db, SAMPLES)).isZero();

            assertThat(db.jdbc().queryForList("""
                    SELECT partition_name || ' ' || (lower_bound AT TIME ZONE 'UTC') || ' ' || (upper_bound AT TIME ZONE 'UTC')
                      FROM partwarden.partitions('samples')""",
                    String.class)).contains(
                    partition(MONTH) + " " + MONTH.atDay(1) + " 00:00:00 " + MONTH.atDay(15) + " 00:00:00",
                    partition(MONTH.plusMonths(1)) + " " + MONTH.plusMonths(1).atDay(15) + " 00:00:00 "
                            + MONTH.plusMonths(2).atDay(1) + " 00:00:00");
            db.execute("INSERT INTO samples VALUES ('" + at(MONTH, 2) + "')");
            snapshot.refresh();
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(registry.get("partwarden.coverage.gaps").tag("table", "samples").gauge().value()).isZero();
            assertThat(OnceCommandTest.run(db, with("--verify"))).isZero();
        }
    }

    @Test
    void aGapThePassCannotFillMakesOnceExitOneNamingTheRange(CapturedOutput output) {
        try (TestDatabase db = tableWithHandMadePartition("coverage_unfillable")) {
            db.execute("CREATE TABLE " + partition(MONTH) + " (note text)"); // takes the name the gap's partition gets

            assertThat(OnceCommandTest.runOnce(db, SAMPLES)).isEqualTo(1);

            assertThat(output.getOut()).contains("FAILED samples: create public." + partition(MONTH)
                    + " [" + utc(MONTH, 1) + ", " + utc(MONTH, 15) + ")");
        }
    }

    @Test
    void afterTheTimeZoneChangesFromUtcToBerlinVerifyReportsTheUncoveredHoursAndThePassFillsThem(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("coverage_zone")) {
            TestProperties.migrate(db);
            db.execute("CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
            assertThat(OnceCommandTest.runOnce(db, SAMPLES)).isZero();
            String berlin = "--partwarden.tables[0].time-zone=Europe/Berlin";
            // this month begins in Berlin an hour or two before it does in UTC, where the first partition begins
            String monthInBerlin = MONTH.atDay(1).atStartOfDay(ZoneId.of("Europe/Berlin")).toInstant().toString();
            String uncovered = "[" + monthInBerlin + ", " + utc(MONTH, 1) + ")";

            assertThat(OnceCommandTest.run(db, with("--verify", berlin))).isEqualTo(1);
            assertThat(output.getOut()).contains("PROBLEM public.samples: coverage gap: no partition covers " + uncovered);

            assertThat(OnceCommandTest.runOnce(db, SAMPLES[0], SAMPLES[1], berlin)).isZero();
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('samples') WHERE partition_name = ?",
                    Long.class, String.format("samples_y%04dm%02dd01", MONTH.getYear(), MONTH.getMonthValue()))).isOne();
            assertThat(OnceCommandTest.run(db, with("--verify", berlin))).isZero();
        }
    }
}
