package io.partwarden.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;

/**
 * Reads a table's partitions and bounds with one query, through the installed SQL function the
 * SQL API uses too, plus the retirements under way whose table is no longer attached (detached and
 * yet to be disposed of, or gone), and the partitions whose access differs from the parent's.
 */
@Component
public class PartitionCatalog {

    static final String PARTITIONS = """
            SELECT schema_name, partition_name, lower_bound, upper_bound, is_default, detach_pending
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass)
            """;
    /**
     * Retirements under way of the table whose relation is not attached to it: detached, or gone.
     * The relation is the one the retirement began on (its oid), never merely one of that name;
     * one recorded before oids were (null) is matched by name and checked before use.
     */
    static final String RETIREMENT_LEFTOVERS = """
            SELECT r.id, r.state, r.partition_schema AS schema_name, r.partition_name, r.lower_bound, r.upper_bound,
                   false AS is_default, false AS detach_pending,
                   NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = coalesce(r.partition_oid, t.named)) AS gone
              FROM partwarden.retirement r
             CROSS JOIN LATERAL (SELECT to_regclass(format('%I.%I', r.partition_schema, r.partition_name))::oid AS named) t
             WHERE r.parent_schema = ? AND r.parent_name = ? AND partwarden.is_under_way(r.state)
               AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = coalesce(r.partition_oid, t.named))
             ORDER BY r.lower_bound, r.id
            """;
    static final String SERVER_VERSION = "SELECT current_setting('server_version_num')::int";
    /** Every partition still attached whose owner, privileges or row level security differ from the parent's rule. */
    static final String ACCESS_DRIFTS = """
            SELECT p.schema_name, p.partition_name, d.difference
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass) p
             CROSS JOIN LATERAL partwarden.partition_access_drift(format('%I.%I', ?, ?)::regclass, p.partition) d(difference)
             WHERE NOT p.detach_pending AND d.difference IS NOT NULL
             ORDER BY p.lower_bound NULLS LAST, p.partition_name
            """;
    /** The dry run reads the catalog before the migration (V9) that installs the function may have run. */
    static final String ACCESS_DRIFT_INSTALLED =
            "SELECT to_regprocedure('partwarden.partition_access_drift(regclass,regclass)') IS NOT NULL";

    private final JdbcTemplate jdbc;
    /** Once installed, never gone: asked only until it is. */
    private volatile boolean accessDriftInstalled;

    public PartitionCatalog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public TableSnapshot read(TableName table) {
        List<Partition> partitions = jdbc.query(PARTITIONS, PartitionCatalog::partition, table.schema(), table.name());
        List<Partition> detached = new ArrayList<>();
        List<VanishedRetirement> vanished = new ArrayList<>();
        jdbc.query(RETIREMENT_LEFTOVERS, (RowCallbackHandler) row -> {
            Partition partition = partition(row, row.getRow());
            if (row.getBoolean("gone")) {
                vanished.add(new VanishedRetirement(row.getLong("id"), partition.schema(), partition.name(),
                        partition.bounds(), RetirementState.of(row.getString("state"))));
            } else {
                detached.add(partition);
            }
        }, table.schema(), table.name());
        return new TableSnapshot(table, partitions, detached, vanished, jdbc.queryForObject(SERVER_VERSION, Integer.class),
                accessDrifts(table), distribution(table));
    }

    /** Local, unless Citus is installed in this database and has the table in its metadata. */
    public Distribution distribution(TableName table) {
        if (!Boolean.TRUE.equals(jdbc.queryForObject(Distribution.CITUS_INSTALLED, Boolean.class))) {
            return Distribution.LOCAL;
        }
        return jdbc.query(Distribution.CITUS_METADATA, (row, n) -> Distribution.of(row.getString(1), row.getString(2)),
                table.schema(), table.name()).stream().findFirst().orElse(Distribution.LOCAL);
    }


    private List<AccessDrift> accessDrifts(TableName table) {
        if (!accessDriftInstalled) {
            accessDriftInstalled = Boolean.TRUE.equals(jdbc.queryForObject(ACCESS_DRIFT_INSTALLED, Boolean.class));
            if (!accessDriftInstalled) {
                return List.of();
            }
        }
        return jdbc.query(ACCESS_DRIFTS, (row, n) -> new AccessDrift(row.getString("schema_name"),
                row.getString("partition_name"), row.getString("difference")),
                table.schema(), table.name(), table.schema(), table.name());
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
