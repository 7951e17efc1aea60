package io.partwarden.maintenance;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.conversion.Conversion;
import io.partwarden.conversion.ConversionDriver;
import io.partwarden.conversion.ConversionPhase;
import io.partwarden.conversion.ConversionRefused;
import io.partwarden.step.LockRetry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Drives the events table's online conversion under the replicas' conversion lock, one slice of
 * work per hold of the lock: {@code --once} to its cut-over, the daemon in the background.
 */
@Component
public class ConversionRunner {

    private static final Logger log = LoggerFactory.getLogger(ConversionRunner.class);

    static final Duration SLICE = Duration.ofSeconds(30);
    static final Duration OTHER_REPLICA_POLL = Duration.ofSeconds(1);

    private final ConversionDriver driver;
    private final PassLock lock;
    private final PartwardenProperties properties;

    public ConversionRunner(ConversionDriver driver, PassLock lock, PartwardenProperties properties) {
        this.driver = driver;
        this.lock = lock;
        this.properties = properties;
    }

    /**
     * {@code --once}: carries the conversion, if there is one to drive, through its cut-over.
     *
     * @return why it could not, empty when the table is converted (or needed no conversion)
     */
    public Optional<String> runToCutover() {
        return runToCutover(false);
    }

    /** @param evenAfterOperatorGaveUp as {@code --convert}: begin anew after a rollback */
    public Optional<String> runToCutover(boolean evenAfterOperatorGaveUp) {
        Instant catchingUpSince = null;
        boolean announced = false;
        Duration cutoverTimeout = properties.migration().online().cutoverTimeout();
        while (true) {
            Optional<SimpleLock> held = lock.tryAcquireConversion();
            if (held.isEmpty()) {
                if (!announced) {
                    log.info("Another instance holds lock {} (or held it when it died: the lock lapses after {}):"
                            + " waiting for it", PassLock.CONVERSION, Spelling.of(PassLock.CONVERSION_AT_MOST_FOR));
                    announced = true;
                }
                LockRetry.pause(OTHER_REPLICA_POLL, "waiting for the conversion lock another instance holds");
                continue;
            }
            Conversion c;
            try {
                Optional<Conversion> current = driver.current(evenAfterOperatorGaveUp);
                evenAfterOperatorGaveUp = false; // begun (or nothing to begin): from here on, drive it
                if (current.isEmpty()) {
                    return Optional.empty();
                }
                c = driver.advance(current.get().id(), SLICE);
            } catch (ConversionRefused refused) {
                return Optional.of(refused.getMessage());
            } catch (RuntimeException e) {
                return Optional.of("the online conversion failed: " + e.getMessage());
            } finally {
                held.get().unlock();
            }
            if (!c.phase().beforeCutover()) {
                return Optional.empty();
            }
            if (c.phase() == ConversionPhase.CATCHING_UP) {
                catchingUpSince = catchingUpSince == null ? Instant.now() : catchingUpSince;
                if (Duration.between(catchingUpSince, Instant.now()).compareTo(cutoverTimeout) > 0) {
                    return Optional.of(c.label() + ": no cut-over within " + Spelling.of(cutoverTimeout)
                            + " (partwarden.migration.online.cutover-timeout), after " + c.cutoverAttempts()
                            + " attempts, each stopped by a lock or the hold running out; the conversion goes on"
                            + " at the next run, or in the daemon");
                }
            }
        }
    }

    /**
     * The daemon's loop, on a thread of its own: a slice of work whenever there is a conversion to
     * drive, the kept table kept current after the cut-over, and the conversion finished once
     * {@code finish-after} has passed. Never throws; a failure is logged and tried again later.
     */
    void driveForever() {
        while (!Thread.currentThread().isInterrupted()) {
            Duration next = Duration.ofSeconds(30);
            try {
                next = slice();
            } catch (RuntimeException e) {
                log.error("Online conversion: {}; trying again in {}", e.getMessage(), Spelling.of(next));
            }
            try {
                Thread.sleep(next.toMillis());
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Duration slice() {
        Optional<SimpleLock> held = lock.tryAcquireConversion();
        if (held.isEmpty()) {
            return Duration.ofSeconds(30);
        }
        try {
            Optional<Conversion> current = driver.current();
            if (current.isEmpty()) {
                return Duration.ofMinutes(1);
            }
            Conversion c = current.get();
            if (c.phase().beforeCutover()) {
                driver.advance(c.id(), SLICE);
                return Duration.ZERO;
            }
            if (c.phase() == ConversionPhase.CONVERTED) {
                int applied = driver.keepUnpartitionedCurrent(c.id());
                if (c.finishAfter() != null && Instant.now().isAfter(c.finishAfter())) {
                    driver.finish(c.id(), false);
                    log.info("Online conversion of {} finished: {} dropped (partwarden.migration.online.finish-after)",
                            c.label(), c.kept());
                }
                return applied > 0 ? Duration.ofSeconds(1) : Duration.ofSeconds(10);
            }
            return Duration.ofMinutes(1);
        } catch (ConversionRefused refused) {
            log.error("Online conversion waits for the operator: {}", refused.getMessage());
            return Duration.ofMinutes(5);
        } finally {
            held.get().unlock();
        }
    }
}
