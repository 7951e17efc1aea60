package io.partwarden.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads a table's partitions and bounds with one query, through the installed SQL function the
 * SQL API uses too, plus the tables a retirement detached and has yet to drop.
 */
@Component
public class PartitionCatalog {

    static final String PARTITIONS = """
            SELECT schema_name, partition_name, lower_bound, upper_bound, is_default, detach_pending
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass)
            """;
    static final String DETACHED_LEFTOVERS = """
            SELECT r.partition_schema AS schema_name, r.partition_name, r.lower_bound, r.upper_bound,
                   false AS is_default, false AS detach_pending
              FROM partwarden.retirement r
             WHERE r.parent_schema = ? AND r.parent_name = ? AND partwarden.is_under_way(r.state)
               AND to_regclass(format('%I.%I', r.partition_schema, r.partition_name)) IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM pg_inherits i
                                WHERE i.inhrelid = to_regclass(format('%I.%I', r.partition_schema, r.partition_name)))
             ORDER BY r.lower_bound
            """;
    static final String SERVER_VERSION = "SELECT current_setting('server_version_num')::int";

    private final JdbcTemplate jdbc;

    public PartitionCatalog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public TableSnapshot read(TableName table) {
        List<Partition> partitions = jdbc.query(PARTITIONS, PartitionCatalog::partition, table.schema(), table.name());
        List<Partition> leftovers = jdbc.query(DETACHED_LEFTOVERS, PartitionCatalog::partition, table.schema(), table.name());
        return new TableSnapshot(table, partitions, leftovers, jdbc.queryForObject(SERVER_VERSION, Integer.class));
    }

    private static Partition partition(ResultSet row, int rowNumber) throws SQLException {
        boolean isDefault = row.getBoolean("is_default");
        // pgjdbc maps -infinity and infinity (MINVALUE, MAXVALUE) to OffsetDateTime.MIN and MAX
        PartitionBounds bounds = isDefault ? null : new PartitionBounds(
                SqlTime.instant(row.getObject("lower_bound", OffsetDateTime.class)),
                SqlTime.instant(row.getObject("upper_bound", OffsetDateTime.class)));
        return new Partition(row.getString("schema_name"), row.getString("partition_name"), bounds, isDefault,
                row.getBoolean("detach_pending"));
    }
}
