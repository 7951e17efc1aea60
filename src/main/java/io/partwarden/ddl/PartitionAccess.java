package io.partwarden.ddl;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.SyncPartitionAccess;
import io.partwarden.step.Statement;
import io.partwarden.step.Step;
import io.partwarden.step.Transaction;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

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

    public PartitionAccess(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<Step> steps(SyncPartitionAccess action, PartwardenProperties.Table config) {
        return List.of(new Transaction(action.describe(), config.lockTimeout(), config.maxAttempts(),
                List.of(new Statement(statement(action)))));
    }

    private String statement(SyncPartitionAccess action) {
        return jdbc.queryForObject(SYNC_STATEMENT, String.class, action.table().schema(), action.table().name(),
                action.schema(), action.name());
    }
}
