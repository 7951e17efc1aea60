package io.partwarden.ddl;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.SyncPartitionAccess;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Brings a partition's owner, privileges and row level security in line with its parent's with
 * {@code partwarden.sync_partition_access}, the function every partition is made with. Changing
 * them takes ACCESS EXCLUSIVE on the partition, so it runs in one transaction under
 * {@code SET LOCAL lock_timeout}, retried: writers wait at most that long per attempt.
 */
@Component
public class PartitionAccess {

    /** The statement, with the names as literals, made by the database so it is quoted as it reads it. */
    static final String SYNC_STATEMENT = """
            SELECT format('SELECT partwarden.sync_partition_access(%L, %L)', format('%I.%I', ?, ?), format('%I.%I', ?, ?))""";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public PartitionAccess(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    public void sync(SyncPartitionAccess action, PartwardenProperties.Table config) {
        String statement = statement(action);
        LockRetry.attempt(action.describe(), config.maxAttempts(), () -> transactions.execute(status -> {
            LockRetry.setLocalLockTimeout(jdbc, config.lockTimeout());
            jdbc.queryForList(statement);
            return null;
        }));
    }

    /** The statements {@link #sync} runs, in order. */
    public List<String> statements(SyncPartitionAccess action, PartwardenProperties.Table config) {
        return LockRetry.printedTransaction(config.lockTimeout(), List.of(statement(action)));
    }

    private String statement(SyncPartitionAccess action) {
        return jdbc.queryForObject(SYNC_STATEMENT, String.class, action.table().schema(), action.table().name(),
                action.schema(), action.name());
    }
}
