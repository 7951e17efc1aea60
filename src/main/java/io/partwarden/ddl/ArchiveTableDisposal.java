package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.step.Check;
import io.partwarden.step.InsertsAll;
import io.partwarden.step.Operation;
import io.partwarden.step.Statement;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code on-retire: archive-table}: the detached table's rows moved into the archive table (made,
 * protected, if missing) and the table dropped, in one transaction that rolls back unless every
 * row arrived.
 */
@Component
public class ArchiveTableDisposal implements Disposal {

    static final String ARCHIVE_TABLE_DDL =
            "SELECT partwarden.archive_table_ddl(format('%I.%I', ?, ?)::regclass, ?, ?, ?, ?)";

    private final JdbcTemplate jdbc;
    private final RetiredTableDdl ddl;
    private final RetirementLog retirements;

    public ArchiveTableDisposal(JdbcTemplate jdbc, RetiredTableDdl ddl, RetirementLog retirements) {
        this.jdbc = jdbc;
        this.ddl = ddl;
        this.retirements = retirements;
    }

    @Override
    public OnRetire mode() {
        return OnRetire.ARCHIVE_TABLE;
    }

    @Override
    public List<Operation> dispose(TableName table, Partition partition, PartwardenProperties.Table config) {
        TableName archive = TableName.parse(config.archiveTableOrDefault());
        // the archive table made and protected if missing, then the one INSERT of the rows
        List<String> statements = jdbc.queryForList(ARCHIVE_TABLE_DDL, String.class, table.schema(), table.name(),
                partition.schema(), partition.name(), archive.schema(), archive.name());
        List<Operation> operations = new ArrayList<>();
        statements.subList(0, statements.size() - 1).forEach(s -> operations.add(new Statement(s)));
        operations.add(new InsertsAll(ddl.countStatement(partition), statements.get(statements.size() - 1),
                "archiving " + partition.name() + " into " + config.archiveTableOrDefault()));
        operations.add(new Statement(ddl.drop(partition)));
        operations.add(new Check("recorded in partwarden.retirement: dropped",
                () -> retirements.end(partition, RetirementState.DROPPED, null)));
        return operations;
    }
}
