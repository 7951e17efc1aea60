package io.partwarden.ddl;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.CreateDefaultPartition;
import io.partwarden.plan.CreatePartition;
import io.partwarden.step.FunctionCall;
import io.partwarden.step.Step;
import io.partwarden.step.StepRunner;
import io.partwarden.step.Transaction;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

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
    private final StepRunner runner;

    public PartitionDdl(JdbcTemplate jdbc, StepRunner runner) {
        this.jdbc = jdbc;
        this.runner = runner;
    }

    public void create(CreatePartition action, PartwardenProperties.Table config) {
        runner.run(steps(action, config));
    }

    public void createDefault(CreateDefaultPartition action, PartwardenProperties.Table config) {
        runner.run(steps(action, config));
    }

    /** One transaction that calls {@code create_partition}, printed as the statements it runs. */
    public List<Step> steps(CreatePartition action, PartwardenProperties.Table config) {
        return creating(action.describe(), arguments(action), action.table(), action.name(), action.bounds(), config);
    }

    public List<Step> steps(CreateDefaultPartition action, PartwardenProperties.Table config) {
        return creating(action.describe(), defaultArguments(action), action.table(), action.name(), null, config);
    }

    /** The statements {@link #create} runs, in order, as the database runs them. */
    public List<String> statements(CreatePartition action, PartwardenProperties.Table config) {
        return StepRunner.print(steps(action, config));
    }

    private List<Step> creating(String what, List<Object> arguments, TableName table, String name, PartitionBounds bounds,
                                PartwardenProperties.Table config) {
        return List.of(new Transaction(what, config.lockTimeout(), config.maxAttempts(),
                List.of(new FunctionCall(CREATE_PARTITION, arguments, partitionStatements(table, name, bounds)))));
    }

    /**
     * The statements that make partition {@code name} of {@code table} with these bounds (null:
     * the default partition), as {@code partwarden.partition_ddl} gives them, unrun.
     */
    public List<String> partitionStatements(TableName table, String name, PartitionBounds bounds) {
        return jdbc.queryForList(PARTITION_DDL, String.class, table.schema(), table.name(), name,
                bounds == null ? null : SqlTime.sql(bounds.lower()), bounds == null ? null : SqlTime.sql(bounds.upper()));
    }

    private static List<Object> defaultArguments(CreateDefaultPartition action) {
        return java.util.Arrays.asList(action.table().schema(), action.table().name(), action.name(), null, null);
    }

    private static List<Object> arguments(CreatePartition action) {
        return List.of(action.table().schema(), action.table().name(), action.name(),
                SqlTime.sql(action.bounds().lower()), SqlTime.sql(action.bounds().upper()));
    }
}
