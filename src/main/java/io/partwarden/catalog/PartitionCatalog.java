package io.partwarden.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads a table's partitions and bounds with one query, through the installed SQL function. */
@Component
public class PartitionCatalog {

    static final String PARTITIONS = """
            SELECT partition_name, lower_bound, upper_bound, is_default, detach_pending
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass)
            """;

    private final JdbcTemplate jdbc;

    public PartitionCatalog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public TableSnapshot read(TableName table) {
        List<Partition> partitions = jdbc.query(PARTITIONS, PartitionCatalog::partition, table.schema(), table.name());
        return new TableSnapshot(table, partitions);
    }

    private static Partition partition(ResultSet row, int rowNumber) throws SQLException {
        boolean isDefault = row.getBoolean("is_default");
        // pgjdbc maps -infinity and infinity (MINVALUE, MAXVALUE) to OffsetDateTime.MIN and MAX
        PartitionBounds bounds = isDefault ? null : new PartitionBounds(
                row.getObject("lower_bound", OffsetDateTime.class).toInstant(),
                row.getObject("upper_bound", OffsetDateTime.class).toInstant());
        return new Partition(row.getString("partition_name"), bounds, isDefault, row.getBoolean("detach_pending"));
    }
}
