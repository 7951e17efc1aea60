package io.partwarden.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * MeshHook at work on its events while something converts them: two clients insert events, two
 * insert a run and its first event in one transaction (the order that deadlocks against a
 * conversion locking workflow_events before workflow_runs), one deletes a run every 0.5 s (its
 * events go by the cascade), one updates old events, moving one in ten 40 days back. What each
 * client saw acknowledged is recorded, so the table can be checked against it afterwards.
 */
public final class MeshHookLoad implements AutoCloseable {

    /** A year of events on runs made for the load: the deleter's runs, and the events the updater may change. */
    public record Year(List<String> deletableRuns, List<Long> updatableIds) {
    }

    /** An update's result as its client saw it committed: ts in microseconds since the epoch, payload as text. */
    public record Update(long id, long tsMicros, String payload) {
    }

    static final String INSERT_EVENT = """
            INSERT INTO workflow_events (run_id, type, payload)
            VALUES ('c0000000-0000-0000-0000-000000000011', 'load', '{}') RETURNING id""";
    static final String INSERT_RUN = """
            INSERT INTO workflow_runs (project_id, workflow_id, status)
            VALUES ('a0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000001', 'running') RETURNING id""";
    static final String INSERT_EVENT_OF_RUN = """
            INSERT INTO workflow_events (run_id, type, payload) VALUES (?, 'run.started', '{}') RETURNING id""";
    static final String DELETE_RUN = "DELETE FROM workflow_runs WHERE id = ?::uuid";
    static final String UPDATE_EVENT = """
            UPDATE workflow_events SET payload = jsonb_build_object('updated', ?::bigint),
                   ts = CASE WHEN ? THEN ts - interval '40 days' ELSE ts END
             WHERE id = ? RETURNING (extract(epoch FROM ts) * 1000000)::bigint, payload::text""";

    private final TestDatabase db;
    private final Year year;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> clients = new ArrayList<>();
    private final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> deletedRuns = new ConcurrentLinkedQueue<>();
    private final Map<Long, Update> updates = new ConcurrentHashMap<>();
    private final AtomicLong updateCount = new AtomicLong();
    private final AtomicLong updateSequence = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong longestInsertNanos = new AtomicLong();

    private MeshHookLoad(TestDatabase db, Year year) {
        this.db = db;
        this.year = year;
    }

    /**
     * Adds {@code events} events over the last 365 days to a MeshHook database, spread over
     * {@code runs} new runs of tenant one: events of half the runs are the deleter's, the others'
     * events of the last 180 days the updater's (so four moves back still land in the year the
     * conversion made partitions for).
     */
    public static Year addYearOfEvents(TestDatabase db, int events, int runs) {
        db.execute(String.format(Locale.ROOT, """
                INSERT INTO workflow_runs (project_id, workflow_id, status)
                SELECT 'a0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000001',
                       CASE WHEN n %% 2 = 0 THEN 'failed' ELSE 'succeeded' END
                  FROM generate_series(1, %2$d) n;
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT r.id, now() - make_interval(secs => g * %3$f), 'node.completed', jsonb_build_object('seq', g)
                  FROM generate_series(1, %1$d) g
                  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM workflow_runs
                         WHERE status IN ('failed', 'succeeded')) r ON r.n = g %% %2$d;
                ANALYZE workflow_runs;
                ANALYZE workflow_events;""", events, runs, 365.0 * 86_400 / events));
        JdbcTemplate jdbc = db.jdbc();
        List<String> deletable = new ArrayList<>(jdbc.queryForList(
                "SELECT id::text FROM workflow_runs WHERE status = 'failed'", String.class));
        Collections.shuffle(deletable);
        List<Long> updatable = jdbc.queryForList("""
                SELECT e.id FROM workflow_events e JOIN workflow_runs r ON r.id = e.run_id
                 WHERE r.status = 'succeeded' AND e.ts > now() - interval '180 days'""", Long.class);
        return new Year(List.copyOf(deletable), List.copyOf(updatable));
    }

    /** Starts the six clients, each on a connection of its own. */
    public static MeshHookLoad start(TestDatabase db, Year year) {
        MeshHookLoad load = new MeshHookLoad(db, year);
        for (int i = 0; i < 4; i++) {
            boolean withRun = i % 2 == 1;
            load.client("inserter-" + i, () -> load.insert(withRun));
        }
        load.client("run-deleter", load::deleteRuns);
        load.client("event-updater", load::updateEvents);
        return load;
    }

    /** Stops the clients after what each has under way, and waits for them. */
    public void stop() throws InterruptedException {
        running.set(false);
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(60).toMillis());
            if (client.isAlive()) {
                failures.add(client.getName() + ": still running 60 s after the stop");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public List<Long> acknowledgedInserts() {
        return List.copyOf(acknowledged);
    }

    public List<String> deletedRuns() {
        return List.copyOf(deletedRuns);
    }

    /** The last committed update of each row updated. */
    public Map<Long, Update> updates() {
        return Map.copyOf(updates);
    }

    /** Updates committed. */
    public long updateCount() {
        return updateCount.get();
    }

    /** Every statement a client saw fail, its client named. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** The longest an insert transaction took, from its first statement to its commit. */
    public Duration longestInsertWait() {
        return Duration.ofNanos(longestInsertNanos.get());
    }

    /** Acknowledged insert ids found other than exactly once in workflow_events (at most 20). */
    public List<Long> insertsNotFoundExactlyOnce() {
        return db.jdbc().queryForList("""
                SELECT a.id FROM unnest(?::bigint[]) a(id) LEFT JOIN workflow_events e ON e.id = a.id
                 GROUP BY a.id HAVING count(e.id) <> 1 ORDER BY a.id LIMIT 20""", Long.class,
                (Object) acknowledged.toArray(Long[]::new));
    }

    /** Deleted runs that still have events in workflow_events. */
    public List<String> deletedRunsWithEvents() {
        return db.jdbc().queryForList("SELECT DISTINCT run_id::text FROM workflow_events WHERE run_id = ANY (?::uuid[])",
                String.class, (Object) deletedRuns.toArray(String[]::new));
    }

    /** Updated rows not in workflow_events with their last update's ts and payload (at most 20). */
    public List<Long> updatesNotFound() {
        List<Update> last = new ArrayList<>(updates.values());
        return db.jdbc().queryForList("""
                SELECT u.id FROM unnest(?::bigint[], ?::bigint[], ?::text[]) u(id, ts_micros, payload)
                 WHERE NOT EXISTS (SELECT 1 FROM workflow_events e WHERE e.id = u.id
                                      AND (extract(epoch FROM e.ts) * 1000000)::bigint = u.ts_micros
                                      AND e.payload = u.payload::jsonb)
                 ORDER BY u.id LIMIT 20""", Long.class,
                last.stream().map(Update::id).toArray(Long[]::new),
                last.stream().map(Update::tsMicros).toArray(Long[]::new),
                last.stream().map(Update::payload).toArray(String[]::new));
    }

    private void client(String name, SqlLoop loop) {
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (SQLException | RuntimeException e) {
                failures.add(name + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "meshhook-" + name);
        clients.add(thread);
        thread.start();
    }

    private void insert(boolean withRun) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement event = c.prepareStatement(withRun ? INSERT_EVENT_OF_RUN : INSERT_EVENT);
                PreparedStatement run = c.prepareStatement(INSERT_RUN)) {
            c.setAutoCommit(!withRun);
            while (running.get()) {
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
                    failures.add("insert" + (withRun ? " of a run and its event: " : ": ") + e.getMessage());
                    if (withRun) {
                        c.rollback();
                    }
                }
                longestInsertNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
            }
        }
    }

    private void deleteRuns() throws SQLException, InterruptedException {
        try (Connection c = db.connect(); PreparedStatement delete = c.prepareStatement(DELETE_RUN)) {
            for (String run : year.deletableRuns()) {
                if (!running.get()) {
                    return;
                }
                delete.setString(1, run);
                try {
                    if (delete.executeUpdate() == 1) {
                        deletedRuns.add(run);
                    }
                } catch (SQLException e) {
                    failures.add("delete of run " + run + ": " + e.getMessage());
                }
                Thread.sleep(500);
            }
        }
    }

    private void updateEvents() throws SQLException, InterruptedException {
        List<Long> ids = year.updatableIds();
        try (Connection c = db.connect(); PreparedStatement update = c.prepareStatement(UPDATE_EVENT)) {
            while (running.get()) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long id = ids.get(random.nextInt(ids.size()));
                update.setLong(1, updateSequence.incrementAndGet()); // each payload its own: the last one is told apart
                update.setBoolean(2, random.nextInt(10) == 0);
                update.setLong(3, id);
                try (ResultSet updated = update.executeQuery()) {
                    if (updated.next()) {
                        updates.put(id, new Update(id, updated.getLong(1), updated.getString(2)));
                        updateCount.incrementAndGet();
                    } else {
                        failures.add("update of event " + id + ": no such row");
                    }
                } catch (SQLException e) {
                    failures.add("update of event " + id + ": " + e.getMessage());
                }
                Thread.sleep(10);
            }
        }
    }

    @FunctionalInterface
    private interface SqlLoop {
        void run() throws SQLException, InterruptedException;
    }
}
