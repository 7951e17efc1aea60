package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.TimedWriter;
import io.partwarden.testing.VersionSensitive;
import java.sql.Connection;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Retirement on real PostgreSQL, on a daily table with a mixed-case name in a schema whose
 * name needs quoting: a 90-day retention, a detach left pending, a table detached but not
 * dropped by a crash.
 */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class RetirementTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final Map<String, String> DAILY_90_DAYS = Map.of(
            "tables[0].name", "Audit Log.Events", "tables[0].column", "At", "tables[0].interval", "day",
            "tables[0].premake", "2", "tables[0].retention", "90d", "tables[0].lock-timeout", "200ms",
            "tables[0].detach-timeout", "20s", "lock.at-least-for", "0s");

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void createDailyTable() {
        TestProperties.migrate(database.get());
        database.get().execute("""
                CREATE SCHEMA "Audit Log";
                CREATE TABLE "Audit Log"."Events" ("Id" bigint NOT NULL, "At" timestamptz NOT NULL, PRIMARY KEY ("Id", "At"))
                  PARTITION BY RANGE ("At");""");
    }

    /** Makes day partitions {@code daysAgo} days back through the SQL function the service uses. */
    static void dayPartition(int daysAgo) {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo);
        jdbc().queryForObject("""
                SELECT partwarden.create_partition('"Audit Log"."Events"', ?, ?::date::timestamp AT TIME ZONE 'UTC',
                                                   (?::date + 1)::timestamp AT TIME ZONE 'UTC')""", String.class,
                String.format("Events_y%04dm%02dd%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth()),
                day.toString(), day.toString());
        jdbc().update("INSERT INTO \"Audit Log\".\"Events\" VALUES (?, ?::date + time '12:00')", daysAgo, day.toString());
    }

    static List<String> partitions() {
        return jdbc().queryForList(
                "SELECT partition_name::text FROM partwarden.partitions('\"Audit Log\".\"Events\"') ORDER BY lower_bound", String.class);
    }

    static String name(int daysAgo) {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo);
        return String.format("Events_y%04dm%02dd%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    @Test
    void aRetentionOf90DaysRetiresTheDaysWhollyOlderAndKeepsTheRest() {
        for (int daysAgo : new int[] {95, 92, 91, 89, 1, 0}) {
            dayPartition(daysAgo);
        }
        var report = Engine.on(database.get(), DAILY_90_DAYS).runner().runIfLockFree().orElseThrow();

        assertThat(report.converged()).isTrue();
        assertThat(partitions()).doesNotContain(name(95), name(92), name(91)).contains(name(89), name(1), name(0), name(-2));
        assertThat(jdbc().queryForList("""
                SELECT partition_name::text || ' ' || state FROM partwarden.retirement WHERE partition_name IN (?, ?, ?)
                 ORDER BY 1""", String.class, name(95), name(92), name(91)))
                .containsExactlyInAnyOrder(name(91) + " dropped", name(92) + " dropped", name(95) + " dropped");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM \"Audit Log\".\"Events\" WHERE \"Id\" IN (89, 1, 0)", Long.class))
                .isEqualTo(3L);
    }

    @Test
    void aDetachLeftPendingIsFinalizedAndDroppedByTheNextPass() throws Exception {
        dayPartition(120);
        try (Connection reader = database.get().connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().executeQuery("SELECT count(*) FROM \"Audit Log\".\"Events\"").close();
            try (Connection detacher = database.get().connect()) {
                detacher.createStatement().execute("SET lock_timeout = '200ms'");
                try {
                    detacher.createStatement().execute(
                            "ALTER TABLE \"Audit Log\".\"Events\" DETACH PARTITION \"Audit Log\".\"" + name(120) + "\" CONCURRENTLY");
                } catch (java.sql.SQLException timedOut) {
                    assertThat(timedOut.getSQLState()).isEqualTo("55P03");
                }
            }
            reader.rollback();
        }
        assertThat(jdbc().queryForObject("SELECT detach_pending FROM partwarden.partitions('\"Audit Log\".\"Events\"') WHERE partition_name = ?",
                Boolean.class, name(120))).isTrue();

        var report = Engine.on(database.get(), DAILY_90_DAYS).runner().runIfLockFree().orElseThrow();

        assertThat(report.outcomes()).anySatisfy(o -> assertThat(o.action()).startsWith("finalize the pending detach of"));
        assertThat(report.converged()).isTrue();
        assertThat(jdbc().queryForObject("SELECT to_regclass(?) IS NULL", Boolean.class, "\"Audit Log\".\"" + name(120) + "\"")).isTrue();
    }

    @Test
    void aTableDetachedByAPassThatDiedBeforeDroppingItIsDroppedByTheNextPass() {
        dayPartition(130);
        jdbc().execute("ALTER TABLE \"Audit Log\".\"Events\" DETACH PARTITION \"Audit Log\".\"" + name(130) + "\"");
        jdbc().update("""
                INSERT INTO partwarden.retirement (parent_schema, parent_name, partition_schema, partition_name, lower_bound, upper_bound, state,
                                                   partition_oid, partition_columns)
                VALUES ('Audit Log', 'Events', 'Audit Log', ?, now() - interval '130 days', now() - interval '129 days', 'detached',
                        to_regclass(format('%I.%I', 'Audit Log', ?)), partwarden.column_signature(format('%I.%I', 'Audit Log', ?)::regclass))""",
                name(130), name(130), name(130));

        var report = Engine.on(database.get(), DAILY_90_DAYS).runner().runIfLockFree().orElseThrow();

        assertThat(report.outcomes()).anySatisfy(o -> assertThat(o.action()).startsWith("finish retiring detached"));
        assertThat(jdbc().queryForObject("SELECT to_regclass(?) IS NULL", Boolean.class, "\"Audit Log\".\"" + name(130) + "\"")).isTrue();
        assertThat(jdbc().queryForObject("SELECT state FROM partwarden.retirement WHERE partition_name = ?", String.class, name(130)))
                .isEqualTo("dropped");
    }

    @Test
    void aDetachCutShortIsReportedInPartwardensWordsAndTheTablesNextRetirementWaitsForIt(CapturedOutput output) throws Exception {
        dayPartition(161);
        dayPartition(160);
        Map<String, String> shortWait = new java.util.HashMap<>(DAILY_90_DAYS);
        shortWait.put("tables[0].detach-timeout", "500ms");
        Engine engine = Engine.on(database.get(), shortWait);
        PassReport report;
        try (Connection reader = database.get().connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().executeQuery("SELECT count(*) FROM \"Audit Log\".\"Events\"").close();
            report = engine.runner().runIfLockFree().orElseThrow();
            reader.rollback();
        }

        assertThat(report.failures()).singleElement().satisfies(failed -> {
            assertThat(failed.action()).startsWith("retire Audit Log." + name(161)).doesNotContain(name(160));
            assertThat(failed.error()).startsWith("Audit Log." + name(161) + " stays detach-pending: ")
                    .contains("the next pass finishes it").doesNotContain("FINALIZE", "already pending");
        });
        assertThat(engine.status().lastError("Audit Log.Events")).hasValueSatisfying(error ->
                assertThat(error).contains(name(161) + " stays detach-pending").doesNotContain("FINALIZE"));
        assertThat(output.getOut().lines().filter(line -> line.contains("waits for the pending detach of Audit Log." + name(161))))
                .as("the pass log says the next retirement waits").anySatisfy(line -> assertThat(line).contains(name(160)));
        assertThat(output.getOut()).doesNotContain("FINALIZE");
        assertThat(jdbc().queryForList("SELECT partition_name || ' ' || detach_pending FROM partwarden.partitions('\"Audit Log\".\"Events\"')"
                + " WHERE partition_name IN (?, ?) ORDER BY 1", String.class, name(161), name(160)))
                .as("the next one not attempted: attached as it was").containsExactly(name(161) + " true", name(160) + " false");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE partition_name = ?", Long.class,
                name(160))).as("no retirement begun for the waiting partition").isZero();

        var next = Engine.on(database.get(), shortWait).runner().runIfLockFree().orElseThrow();

        assertThat(next.converged()).isTrue();
        assertThat(partitions()).doesNotContain(name(160), name(161));
    }

    @Test
    void theConcurrentDetachWaitsForAnOlderReaderWithoutBlockingWriters() throws Exception {
        dayPartition(140);
        TimedWriter writer;
        try (Connection reader = database.get().connect()) {
            reader.setAutoCommit(false);
            reader.createStatement().executeQuery("SELECT count(*) FROM \"Audit Log\".\"Events\"").close();
            Thread pass = new Thread(() -> Engine.on(database.get(), DAILY_90_DAYS).runner().runIfLockFree());
            pass.start();
            writer = TimedWriter.start(database.get(), "INSERT INTO \"Audit Log\".\"Events\" VALUES (?, now())", 1_000_000, 40, 50);
            assertThat(writer.join()).isEqualTo(40);
            assertThat(pass.isAlive()).as("the detach waits for the reader").isTrue();
            reader.rollback();
            pass.join(20_000);
        }
        assertThat(writer.longestMillis()).as("longest insert, ms, while the detach waited").isLessThan(1_000);
        assertThat(partitions()).doesNotContain(name(140));
    }
}
