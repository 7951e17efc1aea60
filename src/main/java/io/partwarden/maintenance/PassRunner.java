package io.partwarden.maintenance;

import io.partwarden.config.Spelling;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Runs a pass under the replicas' lock, and never lets it throw: whatever happens is logged,
 * counted and kept in {@link MaintenanceStatus}.
 */
@Component
public class PassRunner {

    private static final Logger log = LoggerFactory.getLogger(PassRunner.class);

    private final PassLock lock;
    private final MaintenancePass pass;
    private final MaintenanceStatus status;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    public PassRunner(PassLock lock, MaintenancePass pass, MaintenanceStatus status, Clock clock,
                      ApplicationEventPublisher events) {
        this.lock = lock;
        this.pass = pass;
        this.status = status;
        this.clock = clock;
        this.events = events;
    }

    /** Runs a pass if no other replica is running one; empty if it skipped. */
    public Optional<PassReport> runIfLockFree() {
        try {
            Optional<SimpleLock> held = lock.tryAcquire();
            if (held.isEmpty()) {
                log.info("Skipped the maintenance pass: another instance holds lock {}", PassLock.NAME);
                status.skipped();
                return Optional.empty();
            }
            try {
                return Optional.of(runHoldingLock());
            } finally {
                held.get().unlock();
            }
        } catch (RuntimeException e) {
            log.error("Maintenance pass could not take its lock: {}", e.toString());
            status.crashed(e);
            return Optional.empty();
        }
    }

    /**
     * Waits up to {@code wait} for a lock another replica holds, then runs the pass: after
     * another replica's pass it finds little or nothing to do, which confirms that pass's result.
     */
    public Optional<PassReport> runWaitingForLock(Duration wait) {
        Optional<SimpleLock> held = lock.awaitMaintenance(wait);
        if (held.isEmpty()) {
            log.info("Skipped the maintenance pass: another instance still holds lock {} after {}", PassLock.NAME, Spelling.of(wait));
            status.skipped();
            return Optional.empty();
        }
        try {
            return Optional.of(runHoldingLock());
        } finally {
            held.get().unlock();
        }
    }

    private PassReport runHoldingLock() {
        Instant started = clock.instant();
        status.started(started);
        PassReport report;
        try {
            report = pass.run();
        } catch (RuntimeException e) {
            log.error("Maintenance pass failed: {}", e.toString(), e);
            report = new PassReport(List.of(), List.of(ActionOutcome.failed("*", "pass", "maintenance pass", e)),
                    Duration.between(started, clock.instant()));
        }
        Instant finished = clock.instant();
        status.finished(report, finished);
        events.publishEvent(new PassFinished(report, finished));
        log.info("Maintenance pass: {} actions, {} failed, {} ms", report.outcomes().size(), report.failures().size(),
                report.took().toMillis());
        return report;
    }
}
