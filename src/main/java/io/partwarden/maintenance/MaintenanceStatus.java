package io.partwarden.maintenance;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** What the passes of this process have done so far, for health and metrics. */
@Component
public class MaintenanceStatus {

    private volatile Instant passStartedAt;
    private volatile Instant lastSuccess;
    private volatile String lastError;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final Map<String, Instant> tableLastSuccess = new ConcurrentHashMap<>();
    private final Map<String, String> tableLastError = new ConcurrentHashMap<>();
    private volatile DatabaseWait databaseWait;

    /**
     * The database has not accepted a connection yet, so nothing has been migrated or maintained.
     *
     * @param reason the last attempt's failure, naming the database and the server's reason
     * @param since the first failed attempt
     */
    public record DatabaseWait(String reason, Instant since) {
    }

    void databaseUnavailable(String reason, Instant at) {
        DatabaseWait waiting = databaseWait;
        databaseWait = new DatabaseWait(reason, waiting == null ? at : waiting.since());
    }

    void databaseReached() {
        databaseWait = null;
    }

    void started(Instant at) {
        passStartedAt = at;
    }

    void finished(PassReport report, Instant at) {
        passStartedAt = null;
        report.convergedTables().forEach(table -> tableLastSuccess.put(table, at));
        List<ActionOutcome> failures = report.failures();
        failures.forEach(f -> tableLastError.put(f.table(), f.action() + ": " + f.error()));
        if (failures.isEmpty()) {
            lastSuccess = at;
            consecutiveFailures.set(0);
        } else {
            ActionOutcome first = failures.get(0);
            lastError = first.table() + ": " + first.action() + ": " + first.error();
            consecutiveFailures.incrementAndGet();
        }
    }

    void crashed(RuntimeException failure) {
        passStartedAt = null;
        lastError = failure.toString();
        consecutiveFailures.incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    /** When the pass under way started; empty when none is running. */
    public Optional<Instant> passStartedAt() {
        return Optional.ofNullable(passStartedAt);
    }

    public Optional<Instant> lastSuccess() {
        return Optional.ofNullable(lastSuccess);
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** When the table last came out of a pass with every action done. */
    public Optional<Instant> lastSuccess(String table) {
        return Optional.ofNullable(tableLastSuccess.get(table));
    }

    /** The table's most recent failure, however long ago. */
    public Optional<String> lastError(String table) {
        return Optional.ofNullable(tableLastError.get(table));
    }

    /** Present while start-up waits for the database. */
    public Optional<DatabaseWait> databaseWait() {
        return Optional.ofNullable(databaseWait);
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public int skippedPasses() {
        return skipped.get();
    }
}
