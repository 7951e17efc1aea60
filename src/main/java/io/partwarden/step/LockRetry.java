package io.partwarden.step;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import java.sql.SQLException;

/**
 * Runs a transaction that waits for locks at most its lock timeout, again with a growing pause
 * when the timeout strikes, up to a number of attempts. A long transaction on the table then
 * delays maintenance instead of making the application's statements queue behind it.
 */
public final class LockRetry {

    private static final Logger log = LoggerFactory.getLogger(LockRetry.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);

    private LockRetry() {
    }

    /**
     * On Citus, DDL on a distributed table takes its locks on the workers too, and only a SET LOCAL
     * statement (not set_config()) reaches them, and only with this setting: without it a reader of
     * a shard makes the DDL wait past the timeout. Where Citus is not loaded it is a placeholder,
     * without effect.
     */
    static final String PROPAGATE_SET_LOCAL = "SET LOCAL citus.propagate_set_commands = 'local'";
    /** A statement, not a parameter: the value is a number of milliseconds, never text from outside. */
    static final String SET_LOCAL_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '%dms'";

    /** SET LOCAL lock_timeout: for the rest of the current transaction, on Citus workers too. */
    public static void setLocalLockTimeout(JdbcTemplate jdbc, Duration timeout) {
        jdbc.execute(PROPAGATE_SET_LOCAL);
        jdbc.execute(SET_LOCAL_LOCK_TIMEOUT.formatted(timeout.toMillis()));
    }

    /** SQLState of lock_not_available, which a lock_timeout raises. */
    static final String LOCK_NOT_AVAILABLE = "55P03";

    public static <T> T attempt(String what, int maxAttempts, Supplier<T> transaction) {
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.get();
            } catch (RuntimeException timedOut) {
                if (!isLockTimeout(timedOut)) {
                    throw timedOut;
                }
                if (attempt >= maxAttempts) {
                    throw new LockNotAcquiredException(what, maxAttempts, timedOut);
                }
                log.info("{}: lock not granted in time (attempt {} of {}), retrying in {} ms",
                        what, attempt, maxAttempts, pause.toMillis());
                pause(pause, "waiting to retry");
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    public static boolean isLockTimeout(Throwable failure) {
        return hasSqlState(failure, LOCK_NOT_AVAILABLE);
    }

    /** Whether {@code failure} or one of its causes is a database error of this SQLState. */
    public static boolean hasSqlState(Throwable failure, String state) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Sleeps; interrupted, it keeps the interrupt and fails, saying what it was doing. */
    public static void pause(Duration pause, String doing) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + doing, e);
        }
    }

    /** Every attempt timed out; each rolled back, so nothing was changed. */
    public static final class LockNotAcquiredException extends RuntimeException {
        LockNotAcquiredException(String what, int attempts, RuntimeException last) {
            super(what + ": gave up after " + attempts + " attempts, each stopped by lock_timeout;"
                    + " nothing was changed", last);
        }
    }
}
