package io.partwarden.citus;

import io.partwarden.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A writer inserting through the coordinator, one row every 5 ms, from its start until it is
 * closed; the one parameter of {@code insert} is a number counting up from 1,000,000.
 */
final class CoordinatorWriter implements AutoCloseable {

    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicReference<Exception> failed = new AtomicReference<>();
    private final Thread thread;

    private CoordinatorWriter(TestDatabase db, String insert) {
        thread = new Thread(() -> insertUntilClosed(db, insert), "coordinator-writer");
    }

    static CoordinatorWriter start(TestDatabase db, String insert) {
        CoordinatorWriter writer = new CoordinatorWriter(db, insert);
        writer.thread.start();
        return writer;
    }

    long inserted() {
        return inserted.get();
    }

    /** The first insert that failed, null if none did. */
    Exception failure() {
        return failed.get();
    }

    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        thread.join();
    }

    private void insertUntilClosed(TestDatabase db, String sql) {
        try (Connection c = db.connect(); PreparedStatement insert = c.prepareStatement(sql)) {
            for (long n = 1_000_000; writing.get(); n++) {
                insert.setLong(1, n);
                insert.execute();
                inserted.incrementAndGet();
                Thread.sleep(5);
            }
        } catch (Exception e) {
            failed.set(e);
        }
    }
}
