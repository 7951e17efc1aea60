package io.partwarden.metrics;

import io.partwarden.catalog.Distribution;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import java.time.Clock;
import io.partwarden.catalog.SqlTime;
import java.time.OffsetDateTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads a table's partitions with their sizes and rows in one query, its retirements (tables
 * kept detached, retirements still under way) in a second, and its latest online conversion in a
 * third, so that a read that fails shows none of them. Sizes open every
 * partition (an ACCESS SHARE lock each), so the read runs under a short lock timeout and a
 * statement timeout, away from any scrape. A Citus table's partitions are empty shells on the
 * coordinator: their sizes and rows are summed over their shards instead ({@link CitusShardFigures}).
 */
@Component
public class PartitionStatsReader {

    static final String STATS = """
            SELECT p.partition_name, p.lower_bound, p.upper_bound, p.is_default, p.detach_pending,
                   pg_total_relation_size(p.partition) AS size_bytes,
                   CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint
                        ELSE partwarden.exact_row_count(p.partition) END AS row_count
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass) p
              JOIN pg_class c ON c.oid = p.partition
            """;
    /** As {@link #STATS}, less the figures a Citus partition's shell does not have. */
    static final String CITUS_PARTITIONS = """
            SELECT p.partition_name, p.lower_bound, p.upper_bound, p.is_default, p.detach_pending,
                   format('%I.%I', p.schema_name, p.partition_name) AS qualified
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass) p
            """;
    static final String RETIREMENTS = """
            SELECT count(*) FILTER (WHERE state = ?
                                      AND to_regclass(format('%I.%I', partition_schema, kept_as)) IS NOT NULL) AS kept,
                   count(*) FILTER (WHERE partwarden.is_under_way(state)) AS under_way
              FROM partwarden.retirement
             WHERE parent_schema = ? AND parent_name = ?""";
    static final String BOUND_WAITS = """
            SELECT set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true)""";

    private final JdbcTemplate jdbc;
    private final PartitionCatalog catalog;
    private final TransactionTemplate transactions;
    private final PartwardenProperties.Metrics config;
    private final Clock clock;

    public PartitionStatsReader(JdbcTemplate jdbc, PartitionCatalog catalog, TransactionTemplate transactions,
                                PartwardenProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.transactions = transactions;
        this.config = properties.metrics();
        this.clock = clock;
    }

    public TableStats read(String configured) {
        TableName table = TableName.parse(configured);
        record Read(List<PartitionStats> partitions, long kept, long underWay, ConversionStats conversion) {
        }
        Read read = transactions.execute(status -> {
            jdbc.queryForList(BOUND_WAITS, config.lockTimeout().toMillis() + "ms", config.statementTimeout().toMillis() + "ms");
            List<PartitionStats> partitions = catalog.distribution(table).citus() ? citusPartitions(table)
                    : jdbc.query(STATS, (row, n) -> partition(row, row.getLong("size_bytes"), row.getLong("row_count")),
                    table.schema(), table.name());
            ConversionStats conversion = jdbc.query(ConversionStats.LATEST, ConversionStats.MAPPER,
                    table.schema(), table.name()).stream().findFirst().orElse(null);
            return jdbc.queryForObject(RETIREMENTS, (row, n) -> new Read(partitions, row.getLong("kept"), row.getLong("under_way"),
                    conversion), RetirementState.KEPT.sql(), table.schema(), table.name());
        });
        return new TableStats(configured, read.partitions(), read.kept(), read.underWay(), null, clock.instant(),
                read.conversion());
    }

    private List<PartitionStats> citusPartitions(TableName table) {
        record Shell(PartitionStats bounds, String qualified) {
        }
        List<Shell> shells = jdbc.query(CITUS_PARTITIONS, (row, n) -> new Shell(
                partition(row, PartitionStats.UNKNOWN, PartitionStats.UNKNOWN), row.getString("qualified")),
                table.schema(), table.name());
        Map<String, CitusShardFigures.Figures> figures = new CitusShardFigures(jdbc).of(shells.stream().map(Shell::qualified).toList());
        // a partition no node holds a shard of (dropped since the first read) keeps no figure: unknown, not 0
        return shells.stream().map(Shell::bounds).map(p -> Optional.ofNullable(figures.get(p.name()))
                .map(f -> p.withFigures(f.sizeBytes(), f.rows())).orElse(p)).toList();
    }

    private static PartitionStats partition(ResultSet row, long sizeBytes, long rows) throws SQLException {
        return new PartitionStats(row.getString("partition_name"),
                SqlTime.instant(row.getObject("lower_bound", OffsetDateTime.class)),
                SqlTime.instant(row.getObject("upper_bound", OffsetDateTime.class)),
                row.getBoolean("is_default"), sizeBytes, rows, row.getBoolean("detach_pending"));
    }

}
