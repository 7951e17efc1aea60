package io.partwarden.maintenance;

import io.partwarden.config.Spelling;
import io.partwarden.step.LockRetry;

import io.partwarden.config.PartwardenProperties;
import java.time.Instant;
import java.util.Optional;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The ShedLock lock that lets one replica at a time run a pass. Its table is made by Flyway;
 * its times are the database's, so replicas' clocks do not matter.
 */
@Component
public class PassLock {

    static final String NAME = "partwarden-maintenance";
    /** Held by the replica that drives an online conversion, apart from the pass's: passes of other tables go on. */
    public static final String CONVERSION = "partwarden-conversion";
    /**
     * A slice of conversion work takes 30 s; should the replica die, another takes over after this.
     * Correctness does not rest on it: each step locks the conversion's row.
     */
    static final java.time.Duration CONVERSION_AT_MOST_FOR = java.time.Duration.ofMinutes(2);
    static final String TABLE = "partwarden.shedlock";
    private static final java.time.Duration POLL = java.time.Duration.ofSeconds(1);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PassLock.class);

    private final LockProvider provider;
    private final PartwardenProperties.Lock config;

    public PassLock(JdbcTemplate jdbc, PartwardenProperties properties) {
        this.provider = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(jdbc)
                .withTableName(TABLE)
                .usingDbTime()
                .build());
        this.config = properties.lock();
    }

    /** The lock, or empty when another replica holds it. */
    public Optional<SimpleLock> tryAcquire() {
        return provider.lock(new LockConfiguration(Instant.now(), NAME, config.atMostFor(), config.atLeastFor()));
    }

    /**
     * The maintenance lock, waited for up to {@code wait} while another replica holds it; empty
     * if it is held still.
     */
    public Optional<SimpleLock> awaitMaintenance(java.time.Duration wait) {
        return await(this::tryAcquire, NAME, wait);
    }

    /** The conversion's lock, waited for as {@link #awaitMaintenance} waits. */
    public Optional<SimpleLock> awaitConversion(java.time.Duration wait) {
        return await(this::tryAcquireConversion, CONVERSION, wait);
    }

    private static Optional<SimpleLock> await(java.util.function.Supplier<Optional<SimpleLock>> acquire, String name,
                                              java.time.Duration wait) {
        long giveUp = System.nanoTime() + wait.toNanos();
        boolean announced = false;
        while (true) {
            Optional<SimpleLock> held = acquire.get();
            if (held.isPresent() || System.nanoTime() - giveUp >= 0) {
                return held;
            }
            if (!announced) {
                log.info("Another instance holds lock {}: waiting up to {} for it", name, Spelling.of(wait));
                announced = true;
            }
            LockRetry.pause(POLL, "waiting for lock " + name);
        }
    }

    /** The conversion's lock, or empty when another replica holds it. */
    public Optional<SimpleLock> tryAcquireConversion() {
        return provider.lock(new LockConfiguration(Instant.now(), CONVERSION, CONVERSION_AT_MOST_FOR, java.time.Duration.ZERO));
    }
}
