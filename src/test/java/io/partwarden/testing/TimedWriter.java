package io.partwarden.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An application writer: a thread that runs one insert {@code count} times, a pause apart, on
 * its own connection, and records how long each took. Its first argument is a fresh id each time.
 */
public final class TimedWriter {

    private final List<Long> millis = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private TimedWriter(TestDatabase db, String insert, long firstId, int count, long pauseMillis) {
        thread = new Thread(() -> {
            try (Connection c = db.connect(); PreparedStatement statement = c.prepareStatement(insert)) {
                for (int i = 0; i < count; i++) {
                    long started = System.nanoTime();
                    statement.setLong(1, firstId + i);
                    statement.execute();
                    millis.add((System.nanoTime() - started) / 1_000_000);
                    Thread.sleep(pauseMillis);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "timed-writer");
    }

    public static TimedWriter start(TestDatabase db, String insert, long firstId, int count, long pauseMillis) {
        TimedWriter writer = new TimedWriter(db, insert, firstId, count, pauseMillis);
        writer.thread.start();
        return writer;
    }

    /** Waits for the last insert; returns how many completed. */
    public int join() throws InterruptedException {
        thread.join();
        return millis.size();
    }

    public long longestMillis() {
        return millis.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
