package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code DETACH PARTITION ... CONCURRENTLY}, which cannot run in a transaction block or a
 * function, so it lives here rather than in SQL. Its first phase waits at most the lock timeout
 * and is retried; its second waits for every older transaction on the parent, blocking no
 * writer, within the detach timeout; cut short there, the detach stays pending and
 * {@code FINALIZE} completes it, now or on the next pass.
 */
@Component
public class ConcurrentDetach {

    private static final Logger log = LoggerFactory.getLogger(ConcurrentDetach.class);

    static final String DETACH_DDL = "SELECT partwarden.detach_ddl(format('%I.%I', ?, ?)::regclass, ?, ?, ?)";
    static final String IS_PENDING = """
            SELECT coalesce((SELECT detach_pending FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass)
                              WHERE schema_name = ? AND partition_name = ?), false)""";

    private final JdbcTemplate jdbc;

    public ConcurrentDetach(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void concurrently(TableName table, Partition partition, PartwardenProperties.Table config) {
        String detach = statement(table, partition, "concurrently");
        LockRetry.attempt("detach " + partition.name(), config.maxAttempts(), () -> {
            try {
                runOutsideTransaction(config.lockTimeout(), detach);
            } catch (RuntimeException e) {
                if (LockRetry.isLockTimeout(e) && isPending(table, partition)) {
                    log.info("{}: detach waits for older transactions on {}; finishing it within {}",
                            partition.name(), table, config.detachTimeout());
                    finish(table, partition, config);
                    return null;
                }
                throw e;
            }
            return null;
        });
    }

    /** {@code DETACH ... FINALIZE} of a detach left pending, within the detach timeout. */
    void finish(TableName table, Partition partition, PartwardenProperties.Table config) {
        try {
            runOutsideTransaction(config.detachTimeout(), statement(table, partition, "finalize"));
        } catch (RuntimeException e) {
            if (LockRetry.isLockTimeout(e)) {
                throw new IllegalStateException(partition.name() + " stays detach-pending: older transactions on " + table
                        + " outlasted the detach timeout of " + config.detachTimeout()
                        + "; writers were not blocked, and the next pass finishes the detach", e);
            }
            throw e;
        }
    }

    /** The detach statement, {@code how}: concurrently, plain or finalize; quoted by the database. */
    String statement(TableName table, Partition partition, String how) {
        return jdbc.queryForObject(DETACH_DDL, String.class, table.schema(), table.name(), partition.schema(),
                partition.name(), how);
    }

    /** Session-level lock_timeout, reset afterwards: these statements refuse transaction blocks. */
    private void runOutsideTransaction(Duration lockTimeout, String statement) {
        jdbc.execute((Connection connection) -> {
            try (Statement s = connection.createStatement()) {
                s.execute(setLockTimeout(lockTimeout));
                try {
                    s.execute(statement);
                } finally {
                    s.execute("RESET lock_timeout");
                }
            }
            return null;
        });
    }

    private boolean isPending(TableName table, Partition partition) {
        return Boolean.TRUE.equals(jdbc.queryForObject(IS_PENDING, Boolean.class,
                table.schema(), table.name(), partition.schema(), partition.name()));
    }

    static String setLockTimeout(Duration timeout) {
        return "SET lock_timeout = '" + timeout.toMillis() + "ms'";
    }
}
