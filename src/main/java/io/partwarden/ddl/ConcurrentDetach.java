package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.step.LockRetry;
import io.partwarden.step.OutsideTransaction;
import io.partwarden.step.StepRunner;
import io.partwarden.step.Work;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    static final String PENDING_ELSEWHERE = """
            SELECT schema_name || '.' || partition_name FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass)
             WHERE detach_pending AND (schema_name, partition_name) <> (?::name, ?::name)""";
    /** SQLState of a concurrent detach PostgreSQL refuses while another is pending. */
    static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";

    private final JdbcTemplate jdbc;
    private final StepRunner runner;

    public ConcurrentDetach(JdbcTemplate jdbc, StepRunner runner) {
        this.jdbc = jdbc;
        this.runner = runner;
    }

    /** The concurrent detach as a step, with the {@code FINALIZE} that follows only when its wait is cut short. */
    Work concurrently(TableName table, Partition partition, PartwardenProperties.Table config) {
        OutsideTransaction detach = new OutsideTransaction(statement(table, partition, "concurrently"), config.lockTimeout(), null);
        OutsideTransaction finish = new OutsideTransaction(statement(table, partition, "finalize"), config.detachTimeout(),
                "the wait for older transactions outlasts the lock timeout, leaving the detach pending");
        List<String> printed = new ArrayList<>(detach.printed());
        printed.addAll(finish.printed());
        return new Work("detach " + partition.name() + " concurrently", printed, () -> {
            // Only the first phase is retried: once the detach is pending, PostgreSQL refuses a second
            // DETACH CONCURRENTLY, so a FINALIZE cut short ends the retirement with its own message.
            boolean leftPending = LockRetry.attempt("detach " + partition.name(), config.maxAttempts(), () -> {
                try {
                    runner.run(detach);
                    return false;
                } catch (RuntimeException e) {
                    if (LockRetry.isLockTimeout(e) && isPending(table, partition)) {
                        return true;
                    }
                    throw refusedForAnotherPending(table, partition, e);
                }
            });
            if (leftPending) {
                log.info("{}: detach waits for older transactions on {}; finishing it within {}",
                        partition.name(), table, Spelling.of(config.detachTimeout()));
                finalizeWithin(table, partition, config, finish);
            }
        });
    }

    /** {@code DETACH ... FINALIZE} of a detach left pending, within the detach timeout, as a step. */
    Work finish(TableName table, Partition partition, PartwardenProperties.Table config) {
        OutsideTransaction finish = new OutsideTransaction(statement(table, partition, "finalize"), config.detachTimeout(), null);
        return new Work("finalize the detach of " + partition.name(), finish.printed(),
                () -> finalizeWithin(table, partition, config, finish));
    }

    private void finalizeWithin(TableName table, Partition partition, PartwardenProperties.Table config, OutsideTransaction finish) {
        try {
            runner.run(finish);
        } catch (RuntimeException e) {
            if (LockRetry.isLockTimeout(e)) {
                throw new DetachLeftPending(table, partition, config.detachTimeout());
            }
            throw e;
        }
    }

    /**
     * PostgreSQL allows one pending detach per parent and refuses another with a hint to
     * FINALIZE: said in Partwarden's words, naming the pending partition, when that is why.
     */
    private RuntimeException refusedForAnotherPending(TableName table, Partition partition, RuntimeException failure) {
        if (!LockRetry.hasSqlState(failure, OBJECT_NOT_IN_PREREQUISITE_STATE)) {
            return failure;
        }
        List<String> pending = jdbc.queryForList(PENDING_ELSEWHERE, String.class, table.schema(), table.name(),
                partition.schema(), partition.name());
        return pending.isEmpty() ? failure : new WaitsForPendingDetach(partition, pending.get(0));
    }

    /** The detach statement, {@code how}: concurrently, plain or finalize; quoted by the database. */
    String statement(TableName table, Partition partition, String how) {
        return jdbc.queryForObject(DETACH_DDL, String.class, table.schema(), table.name(), partition.schema(),
                partition.name(), how);
    }

    private boolean isPending(TableName table, Partition partition) {
        return Boolean.TRUE.equals(jdbc.queryForObject(IS_PENDING, Boolean.class,
                table.schema(), table.name(), partition.schema(), partition.name()));
    }

    /**
     * A concurrent detach whose wait for older transactions outlasted the detach timeout: the
     * partition stays detach-pending (writers were never blocked) and the next pass finishes it.
     * Until then PostgreSQL refuses any other concurrent detach on the table.
     */
    public static final class DetachLeftPending extends RuntimeException {

        private final String partition;

        DetachLeftPending(TableName table, Partition partition, Duration detachTimeout) {
            super(partition.schema() + "." + partition.name() + " stays detach-pending: transactions older than the detach"
                    + " on " + table + " outlasted its detach-timeout of " + Spelling.of(detachTimeout) + ";"
                    + " writers were not blocked, and the next pass finishes it");
            this.partition = partition.schema() + "." + partition.name();
        }

        /** The partition left pending, schema-qualified. */
        public String partition() {
            return partition;
        }
    }

    /** A concurrent detach refused because another partition of the table is detach-pending. */
    public static final class WaitsForPendingDetach extends RuntimeException {

        private final String pending;

        WaitsForPendingDetach(Partition partition, String pending) {
            super(partition.schema() + "." + partition.name() + " waits for the pending detach of " + pending
                    + ": PostgreSQL allows one per table, and the next pass finishes that one first");
            this.pending = pending;
        }

        /** The partition whose detach is pending, schema-qualified. */
        public String pending() {
            return pending;
        }
    }
}
