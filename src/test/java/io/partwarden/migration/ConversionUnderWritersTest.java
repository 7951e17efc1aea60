package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MeshHook keeps writing while it is upgraded: four writers insert throughout the conversion in place.
 * They may wait, but none may fail, and every insert they saw acknowledged must be in the table.
 * Two writers insert events alone; two insert a run and its event in one transaction, the order
 * that deadlocks against a conversion that locks workflow_events before workflow_runs.
 */
class ConversionUnderWritersTest {

    private static final Logger log = LoggerFactory.getLogger(ConversionUnderWritersTest.class);

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String INSERT_EVENT = """
            INSERT INTO workflow_events (run_id, type, payload)
            VALUES ('c0000000-0000-0000-0000-000000000011', 'load', '{}') RETURNING id""";
    static final String INSERT_RUN = """
            INSERT INTO workflow_runs (project_id, workflow_id, status)
            VALUES ('a0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000001', 'running') RETURNING id""";
    static final String INSERT_EVENT_OF_RUN = """
            INSERT INTO workflow_events (run_id, type, payload) VALUES (?, 'run.started', '{}') RETURNING id""";

    final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final AtomicLong longestWaitNanos = new AtomicLong();
    final AtomicBoolean writing = new AtomicBoolean(true);

    @Test
    void writersWaitButNoneFailsAndNoAcknowledgedInsertIsLost() throws Exception {
        TestDatabase db = database.get();
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        // 200,000 more events, so the conversion takes long enough for writers to queue behind it
        db.execute("""
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT 'c0000000-0000-0000-0000-000000000012', now() - make_interval(secs => g * 60), 'bulk', '{}'
                  FROM generate_series(1, 200000) g;
                ANALYZE workflow_events;""");

        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean withRun = i % 2 == 1;
            running.add(writers.submit(() -> write(db, withRun)));
        }
        Thread.sleep(1_000);
        long before = acknowledged.size();
        long started = System.nanoTime();
        // in place: the default, auto, would leave 210,000 rows to the online conversion
        SchemaMigration.migrate(db.dataSource(), TestProperties.partwarden(Map.of("migration.conversion", "in-place")));
        long conversionMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long during = acknowledged.size() - before;
        Thread.sleep(1_000);
        writing.set(false);
        for (Future<?> writer : running) {
            writer.get(30, TimeUnit.SECONDS);
        }
        writers.shutdown();

        log.info("conversion of 210,000 rows took {} ms under 4 writers; longest insert wait {} ms;"
                        + " {} inserts acknowledged ({} while converting)",
                conversionMillis, TimeUnit.NANOSECONDS.toMillis(longestWaitNanos.get()), acknowledged.size(), during);
        assertThat(failures).isEmpty();
        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'workflow_events'::regclass",
                String.class)).isEqualTo("p");
        List<Long> ids = new ArrayList<>(acknowledged);
        Collections.sort(ids);
        Long found = db.jdbc().queryForObject("SELECT count(*) FROM workflow_events WHERE id = ANY (?)", Long.class,
                (Object) ids.toArray(Long[]::new));
        assertThat(found).isEqualTo(ids.size());
        assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events WHERE type IN ('load', 'run.started') AND id > ?",
                Long.class, ids.get(0))).as("inserts acknowledged after the conversion").isGreaterThan(before);
    }

    private void write(TestDatabase db, boolean withRun) {
        try (Connection c = db.connect()) {
            PreparedStatement event = c.prepareStatement(withRun ? INSERT_EVENT_OF_RUN : INSERT_EVENT);
            PreparedStatement run = c.prepareStatement(INSERT_RUN);
            c.setAutoCommit(!withRun);
            while (writing.get()) {
                long started = System.nanoTime();
                try {
                    if (withRun) {
                        try (ResultSet newRun = run.executeQuery()) {
                            newRun.next();
                            event.setObject(1, newRun.getObject(1));
                        }
                    }
                    long id;
                    try (ResultSet inserted = event.executeQuery()) {
                        inserted.next();
                        id = inserted.getLong(1);
                    }
                    if (withRun) {
                        c.commit();
                    }
                    acknowledged.add(id);
                } catch (SQLException e) {
                    failures.add(e.getMessage());
                    if (withRun) {
                        c.rollback();
                    }
                }
                longestWaitNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
            }
        } catch (SQLException e) {
            failures.add(e.getMessage());
        }
    }
}
