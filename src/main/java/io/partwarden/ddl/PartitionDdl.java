package io.partwarden.ddl;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.CreateDefaultPartition;
import io.partwarden.plan.CreatePartition;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes partitions with the installed SQL function {@code partwarden.create_partition}, the very
 * code the spec's SQL API runs, so the service and the SQL API cannot drift apart. Each partition
 * is one transaction under {@code SET LOCAL lock_timeout}: it is made whole or not at all.
 */
@Component
public class PartitionDdl {

    static final String CREATE_PARTITION =
            "SELECT partwarden.create_partition(format('%I.%I', ?, ?)::regclass, ?, ?, ?)";
    static final String PARTITION_DDL =
            "SELECT partwarden.partition_ddl(format('%I.%I', ?, ?)::regclass, ?, ?, ?)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public PartitionDdl(JdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    public void create(CreatePartition action, PartwardenProperties.Table config) {
        LockRetry.attempt(action.describe(), config.maxAttempts(), () -> transactions.execute(status -> {
            LockRetry.setLocalLockTimeout(jdbc, config.lockTimeout());
            return jdbc.queryForObject(CREATE_PARTITION, String.class, arguments(action));
        }));
    }

    public void createDefault(CreateDefaultPartition action, PartwardenProperties.Table config) {
        LockRetry.attempt(action.describe(), config.maxAttempts(), () -> transactions.execute(status -> {
            LockRetry.setLocalLockTimeout(jdbc, config.lockTimeout());
            return jdbc.queryForObject(CREATE_PARTITION, String.class, defaultArguments(action));
        }));
    }

    /**
     * The statements that make partition {@code name} of {@code table} with these bounds (null:
     * the default partition), as {@code partwarden.partition_ddl} gives them, unrun.
     */
    public List<String> partitionStatements(TableName table, String name, PartitionBounds bounds) {
        return jdbc.queryForList(PARTITION_DDL, String.class, table.schema(), table.name(), name,
                bounds == null ? null : SqlTime.sql(bounds.lower()), bounds == null ? null : SqlTime.sql(bounds.upper()));
    }

    public List<String> statements(CreateDefaultPartition action, PartwardenProperties.Table config) {
        return LockRetry.printedTransaction(config.lockTimeout(), partitionStatements(action.table(), action.name(), null));
    }

    /** The statements {@link #create} would run, in order, as the database would run them. */
    public List<String> statements(CreatePartition action, PartwardenProperties.Table config) {
        return LockRetry.printedTransaction(config.lockTimeout(),
                partitionStatements(action.table(), action.name(), action.bounds()));
    }

    private static Object[] defaultArguments(CreateDefaultPartition action) {
        return new Object[] {action.table().schema(), action.table().name(), action.name(), null, null};
    }

    private static Object[] arguments(CreatePartition action) {
        return new Object[] {action.table().schema(), action.table().name(), action.name(),
                SqlTime.sql(action.bounds().lower()), SqlTime.sql(action.bounds().upper())};
    }
}
