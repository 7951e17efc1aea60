package io.partwarden.ddl;

import io.partwarden.catalog.Distribution;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionCatalog;
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
 * row arrived. On Citus, an archive table made for a hash-distributed table is distributed by the
 * same column and colocated with it, so the rows move shard to shard on the workers and never
 * gather on the coordinator.
 */
@Component
public class ArchiveTableDisposal implements Disposal {

    static final String ARCHIVE_TABLE_DDL =
            "SELECT partwarden.archive_table_ddl(format('%I.%I', ?, ?)::regclass, ?, ?, ?, ?)";
    /** Asked only where Citus is installed and distributes the table: pg_dist_partition exists. */
    static final String COLOCATED_ARCHIVE = """
            SELECT format('SELECT create_distributed_table(%L, %L, colocate_with => %L)', format('%I.%I', ?, ?),
                          column_to_column_name(d.logicalrelid, d.partkey), format('%I.%I', ?, ?))
              FROM pg_catalog.pg_dist_partition d
             WHERE d.logicalrelid = format('%I.%I', ?, ?)::regclass AND to_regclass(format('%I.%I', ?, ?)) IS NULL""";

    private final JdbcTemplate jdbc;
    private final PartitionCatalog catalog;
    private final RetiredTableDdl ddl;
    private final RetirementLog retirements;

    public ArchiveTableDisposal(JdbcTemplate jdbc, PartitionCatalog catalog, RetiredTableDdl ddl, RetirementLog retirements) {
        this.jdbc = jdbc;
        this.catalog = catalog;
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
        if (catalog.distribution(table) == Distribution.CITUS_DISTRIBUTED) {
            jdbc.queryForList(COLOCATED_ARCHIVE, String.class, archive.schema(), archive.name(), table.schema(), table.name(),
                    table.schema(), table.name(), archive.schema(), archive.name()).forEach(s -> operations.add(new Statement(s)));
        }
        operations.add(new InsertsAll(ddl.countStatement(partition), statements.get(statements.size() - 1),
                "archiving " + partition.name() + " into " + config.archiveTableOrDefault()));
        operations.add(new Statement(ddl.drop(partition)));
        operations.add(new Check("recorded in partwarden.retirement: dropped",
                () -> retirements.end(partition, RetirementState.DROPPED, null)));
        return operations;
    }
}
