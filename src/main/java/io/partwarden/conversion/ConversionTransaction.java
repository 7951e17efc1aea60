package io.partwarden.conversion;

import io.partwarden.step.LockRetry;
import io.partwarden.step.StepRunner;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A step of a conversion: one transaction that locks the conversion's row, works from the state it
 * reads there, waits for any other lock at most {@code lock-timeout} (retried with a growing pause)
 * and runs each statement at most {@code statementTimeout}, so that no writer queues behind it for
 * long and a stuck statement gives way rather than hold its locks.
 */
final class ConversionTransaction {

    static final String SET_LOCAL_STATEMENT_TIMEOUT = "SELECT set_config('statement_timeout', ?, true)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final StepRunner steps;
    private final ConversionRecords records;
    private final Duration lockTimeout;
    private final int lockAttempts;

    ConversionTransaction(JdbcTemplate jdbc, TransactionTemplate transactions, ConversionRecords records,
                          Duration lockTimeout, int lockAttempts) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.steps = new StepRunner(jdbc, transactions);
        this.records = records;
        this.lockTimeout = lockTimeout;
        this.lockAttempts = lockAttempts;
    }

    /** Runs {@code work} on the freshly locked row, retried while a lock times out. */
    <T> T run(String what, long conversionId, Duration statementTimeout, Function<Conversion, T> work) {
        return steps.inTransaction(what, lockTimeout, lockAttempts, () -> {
            setLocalStatementTimeout(jdbc, statementTimeout);
            return work.apply(records.lock(conversionId));
        });
    }

    /** Once, without retrying: the caller decides what a lock timeout means. */
    <T> T once(long conversionId, Duration lockWait, Duration statementTimeout, Function<Conversion, T> work) {
        return transactions.execute(status -> {
            LockRetry.setLocalLockTimeout(jdbc, lockWait);
            setLocalStatementTimeout(jdbc, statementTimeout);
            return work.apply(records.lock(conversionId));
        });
    }

    static void setLocalStatementTimeout(JdbcTemplate jdbc, Duration timeout) {
        jdbc.queryForObject(SET_LOCAL_STATEMENT_TIMEOUT, String.class, timeout.toMillis() + "ms");
    }

    Duration lockTimeout() {
        return lockTimeout;
    }
}
