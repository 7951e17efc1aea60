package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.failpoint.Failpoint;
import io.partwarden.plan.CloseRetirement;
import io.partwarden.plan.FinishRetirement;
import io.partwarden.plan.RetirePartition;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retires partitions without stalling writers: {@code DETACH ... CONCURRENTLY} ({@link
 * ConcurrentDetach}) takes only SHARE UPDATE EXCLUSIVE on the parent, then disposes of the
 * detached table as {@code on-retire} says. Where PostgreSQL refuses a concurrent detach (a
 * default partition exists, or the server predates 14), detach and drop run in one transaction
 * under the lock timeout. Every step is recorded in {@code partwarden.retirement} first, so a
 * crash between detach and drop is finished by the next pass. With {@code on-retire: archive} the
 * detached table is written to a file and read back ({@link ArchiveRetirement}) before the drop,
 * which happens only from the state {@code verified}.
 */
@Component
public class PartitionRetirement {

    static final String DROP_DDL = "SELECT partwarden.drop_ddl(?, ?)";
    static final String KEEP_DDL = "SELECT partwarden.keep_ddl(?, ?)";
    static final String KEPT_NAME = "SELECT partwarden.kept_name(?)";
    static final String ARCHIVE_TABLE_DDL =
            "SELECT partwarden.archive_table_ddl(format('%I.%I', ?, ?)::regclass, ?, ?, ?, ?)";
    static final String COUNT_ROWS = "SELECT partwarden.exact_row_count(format('%I.%I', ?, ?)::regclass)";
    static final String LOCK_DDL = "SELECT partwarden.lock_ddl(?, ?)";
    static final String BLOCKER =
            "SELECT partwarden.retirement_blocker(format('%I.%I', ?, ?)::regclass, format('%I.%I', ?, ?)::regclass)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final RetirementLog retirements;
    private final ArchiveRetirement archiving;
    private final ConcurrentDetach detach;

    public PartitionRetirement(JdbcTemplate jdbc, TransactionTemplate transactions, RetirementLog retirements,
                               ArchiveRetirement archiving, ConcurrentDetach detach) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.retirements = retirements;
        this.archiving = archiving;
        this.detach = detach;
    }

    public void retire(RetirePartition action, PartwardenProperties.Table config) {
        Partition partition = action.partition();
        requireDisposable(action.table(), partition); // what would fail after the detach fails now, the partition attached
        if (action.then() == OnRetire.ARCHIVE) {
            archiving.checkReady(action.table(), partition, null); // a bad directory leaves the partition attached
        }
        retirements.begin(action.table(), partition);
        retirements.requireSameTable(partition);
        Failpoint.reach("retire.begun");
        if (action.concurrently()) {
            detach.concurrently(action.table(), partition, config);
            retirements.detached(partition);
            Failpoint.reach("retire.detached");
            dispose(action.table(), partition, action.then(), config);
        } else if (action.then() == OnRetire.ARCHIVE) {
            // the file cannot be part of the transaction: detach now, archive and drop after
            LockRetry.attempt(action.describe(), config.maxAttempts(), () -> transactions.execute(status -> {
                LockRetry.setLocalLockTimeout(jdbc, config.lockTimeout());
                jdbc.execute(detach.statement(action.table(), partition, "plain"));
                retirements.detached(partition);
                return null;
            }));
            Failpoint.reach("retire.detached");
            dispose(action.table(), partition, action.then(), config);
        } else {
            LockRetry.attempt(action.describe(), config.maxAttempts(), () -> transactions.execute(status -> {
                LockRetry.setLocalLockTimeout(jdbc, config.lockTimeout());
                jdbc.execute(detach.statement(action.table(), partition, "plain"));
                disposeInTransaction(action.table(), partition, action.then(), config);
                return null;
            }));
        }
    }

    public void finish(FinishRetirement action, PartwardenProperties.Table config) {
        Partition partition = action.partition();
        retirements.begin(action.table(), partition);
        retirements.requireSameTable(partition);
        if (partition.detachPending()) {
            detach.finish(action.table(), partition, config);
        }
        retirements.detached(partition);
        dispose(action.table(), partition, action.then(), config);
    }

    /** Closes a retirement whose table is gone, touching no table. */
    public void close(CloseRetirement action) {
        retirements.closeGone(action.retirement().retirementId());
    }

    public List<String> statements(CloseRetirement action) {
        return List.of(RetirementLog.closeGoneStatement(action.retirement().retirementId()));
    }

    /** The statements a retirement runs, in order, for the dry run. */
    public List<String> statements(RetirePartition action, PartwardenProperties.Table config) {
        List<String> statements = new ArrayList<>();
        if (action.concurrently()) {
            statements.add(ConcurrentDetach.setLockTimeout(config.lockTimeout()));
            statements.add(detach.statement(action.table(), action.partition(), "concurrently"));
            statements.add("-- only if the wait for older transactions outlasts the lock timeout, leaving the detach pending:");
            statements.add("-- " + ConcurrentDetach.setLockTimeout(config.detachTimeout()));
            statements.add("-- " + detach.statement(action.table(), action.partition(), "finalize"));
            statements.addAll(disposeStatements(action.table(), action.partition(), action.then(), config));
        } else if (action.then() == OnRetire.ARCHIVE) {
            statements.addAll(LockRetry.printedTransaction(config.lockTimeout(),
                    List.of(detach.statement(action.table(), action.partition(), "plain"))));
            statements.addAll(disposeStatements(action.table(), action.partition(), action.then(), config));
        } else {
            List<String> body = new ArrayList<>();
            body.add(detach.statement(action.table(), action.partition(), "plain"));
            body.addAll(disposal(action.table(), action.partition(), action.then(), config));
            statements.addAll(LockRetry.printedTransaction(config.lockTimeout(), body));
        }
        return statements;
    }

    public List<String> statements(FinishRetirement action, PartwardenProperties.Table config) {
        List<String> statements = new ArrayList<>();
        if (action.partition().detachPending()) {
            statements.add(ConcurrentDetach.setLockTimeout(config.detachTimeout()));
            statements.add(detach.statement(action.table(), action.partition(), "finalize"));
        }
        statements.addAll(disposeStatements(action.table(), action.partition(), action.then(), config));
        return statements;
    }

    /** The transaction that disposes of a detached table as {@code on-retire} says. */
    private List<String> disposeStatements(TableName table, Partition partition, OnRetire mode, PartwardenProperties.Table config) {
        List<String> statements = new ArrayList<>();
        if (mode == OnRetire.ARCHIVE) {
            statements.addAll(archiving.statements(table, partition));
        }
        List<String> body = new ArrayList<>();
        body.add(lockStatement(partition));
        body.add("-- it must still be the table the retirement began on (partwarden.retirement_target_problem), or this rolls back");
        body.addAll(disposal(table, partition, mode, config));
        statements.addAll(LockRetry.printedTransaction(config.lockTimeout(), body));
        return statements;
    }

    private List<String> disposal(TableName table, Partition partition, OnRetire mode, PartwardenProperties.Table config) {
        return switch (mode) {
            case DROP, ARCHIVE -> List.of(dropStatement(partition));
            case DETACH -> List.of(keepStatement(partition));
            case ARCHIVE_TABLE -> {
                List<String> statements = new ArrayList<>(archiveStatements(table, partition, config));
                statements.add("-- the rows inserted must number the table's, or all of this rolls back");
                statements.add(dropStatement(partition));
                yield statements;
            }
        };
    }

    private void dispose(TableName table, Partition partition, OnRetire mode, PartwardenProperties.Table config) {
        if (mode == OnRetire.ARCHIVE) {
            archiving.ensureVerified(table, partition, config); // only a verified archive lets the drop below happen
        }
        try {
            LockRetry.attempt(Spelling.of(mode) + " " + partition.name(), config.maxAttempts(),
                    () -> transactions.execute(status -> {
                        LockRetry.setLocalLockTimeout(jdbc, config.lockTimeout());
                        jdbc.execute(lockStatement(partition));
                        retirements.requireSameTable(partition); // under the lock: it cannot change before the drop
                        disposeInTransaction(table, partition, mode, config);
                        return null;
                    }));
        } catch (ArchiveRetirement.ArchiveChanged changed) {
            retirements.advance(partition, RetirementState.DETACHED, RetirementState.VERIFIED);
            throw changed;
        }
    }

    /** Drops, keeps or archives the detached table, in the caller's transaction. */
    private void disposeInTransaction(TableName table, Partition partition, OnRetire mode, PartwardenProperties.Table config) {
        switch (mode) {
            case DROP -> {
                jdbc.execute(dropStatement(partition));
                retirements.end(partition, RetirementState.DROPPED, null);
            }
            case ARCHIVE -> {
                archiving.checkUnchangedSinceArchived(partition);
                if (retirements.advance(partition, RetirementState.DROPPED, RetirementState.VERIFIED) != 1) {
                    throw new IllegalStateException(partition.schema() + "." + partition.name()
                            + " is not dropped: its retirement has no verified archive");
                }
                jdbc.execute(dropStatement(partition));
            }
            case DETACH -> {
                jdbc.execute(keepStatement(partition));
                retirements.end(partition, RetirementState.KEPT, jdbc.queryForObject(KEPT_NAME, String.class, partition.name()));
            }
            case ARCHIVE_TABLE -> {
                long rows = jdbc.queryForObject(COUNT_ROWS, Long.class, partition.schema(), partition.name());
                List<String> archive = archiveStatements(table, partition, config);
                archive.subList(0, archive.size() - 1).forEach(jdbc::execute); // the archive table, protected
                long moved = jdbc.update(archive.get(archive.size() - 1));
                if (moved != rows) {
                    throw new IllegalStateException("archiving " + partition.name() + " into " + config.archiveTableOrDefault()
                            + " inserted " + moved + " rows of " + rows + "; rolled back, nothing was changed");
                }
                jdbc.execute(dropStatement(partition));
                retirements.end(partition, RetirementState.DROPPED, null);
            }
        }
    }


    /**
     * Refuses, before anything changes, a retirement that could detach the partition and then not
     * dispose of it (its rows out of the parent for good): a partition owned by another role than
     * its parent's, or one this role may not drop.
     */
    private void requireDisposable(TableName table, Partition partition) {
        String blocker = jdbc.queryForObject(BLOCKER, String.class, table.schema(), table.name(), partition.schema(),
                partition.name());
        if (blocker != null) {
            throw new IllegalStateException("not retired, left attached: " + blocker);
        }
    }

    private String lockStatement(Partition partition) {
        return jdbc.queryForObject(LOCK_DDL, String.class, partition.schema(), partition.name());
    }

    private String keepStatement(Partition partition) {
        return jdbc.queryForObject(KEEP_DDL, String.class, partition.schema(), partition.name());
    }

    private List<String> archiveStatements(TableName table, Partition partition, PartwardenProperties.Table config) {
        TableName archive = TableName.parse(config.archiveTableOrDefault());
        return jdbc.queryForList(ARCHIVE_TABLE_DDL, String.class, table.schema(), table.name(), partition.schema(),
                partition.name(), archive.schema(), archive.name());
    }

    private String dropStatement(Partition partition) {
        return jdbc.queryForObject(DROP_DDL, String.class, partition.schema(), partition.name());
    }
}
