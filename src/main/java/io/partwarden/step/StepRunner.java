package io.partwarden.step;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Executes a planned action's steps in order, or prints them: the one path of both. */
@Component
public class StepRunner {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public StepRunner(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** Runs each step in turn; the first that fails ends the list, the steps before it stay done. */
    public void run(List<Step> steps) {
        steps.forEach(this::run);
    }

    public void run(Step step) {
        if (step instanceof Transaction t) {
            run(t);
        } else if (step instanceof OutsideTransaction o) {
            run(o);
        } else {
            ((Work) step).run().run();
        }
    }

    /** What {@link #run(List)} would run, in order. */
    public static List<String> print(List<Step> steps) {
        List<String> lines = new ArrayList<>();
        steps.forEach(step -> lines.addAll(step.printed()));
        return lines;
    }

    private void run(Transaction t) {
        try {
            inTransaction(t.what(), t.lockTimeout(), t.attempts(), () -> {
                t.operations().forEach(operation -> operation.run(jdbc));
                return null;
            });
        } catch (RuntimeException failure) {
            t.afterRollback().accept(failure);
            throw failure;
        }
    }

    /**
     * {@code body} in a transaction whose locks are waited for at most {@code lockTimeout},
     * retried up to {@code attempts} times when that strikes (see {@link LockRetry}).
     */
    public <T> T inTransaction(String what, Duration lockTimeout, int attempts, Supplier<T> body) {
        return LockRetry.attempt(what, attempts, () -> transactions.execute(status -> {
            LockRetry.setLocalLockTimeout(jdbc, lockTimeout);
            return body.get();
        }));
    }

    /** Session-level lock_timeout, reset afterwards: these statements refuse transaction blocks. */
    public void run(OutsideTransaction o) {
        jdbc.execute((Connection connection) -> {
            try (java.sql.Statement s = connection.createStatement()) {
                s.execute("SET lock_timeout = '" + o.lockTimeout().toMillis() + "ms'");
                try {
                    s.execute(o.sql());
                } finally {
                    s.execute("RESET lock_timeout");
                }
            }
            return null;
        });
    }
}
