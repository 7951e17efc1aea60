package io.partwarden.metrics;

import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import java.time.Clock;
import io.partwarden.catalog.SqlTime;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads a table's partitions with their sizes and rows in one query, its retirements (tables
 * kept detached, retirements still under way) in a second, and its latest online conversion in a
 * third, so that a read that fails shows none of them. Sizes open every
 * partition (an ACCESS SHARE lock each), so the read runs under a short lock timeout and a
 * statement timeout, away from any scrape. Sizes and rows come from
 * {@code partwarden.partition_figures}, as the spec's SQL API has them: of a Citus partition,
 * summed over its shards (one command on every node, not a query per shard; the statement timeout
 * ends the nodes' commands too).
 */
@Component
public class PartitionStatsReader {

    static final String STATS = """
            SELECT p.partition_name, p.lower_bound, p.upper_bound, p.is_default, p.detach_pending,
                   f.size_bytes, f.row_count
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass) p
              LEFT JOIN partwarden.partition_figures(format('%I.%I', ?, ?)::regclass) f ON f.partition = p.partition
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
    private final TransactionTemplate transactions;
    private final PartwardenProperties.Metrics config;
    private final Clock clock;

    public PartitionStatsReader(JdbcTemplate jdbc, TransactionTemplate transactions, PartwardenProperties properties,
                                Clock clock) {
        this.jdbc = jdbc;
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
            List<PartitionStats> partitions = jdbc.query(STATS, (row, n) -> new PartitionStats(row.getString("partition_name"),
                    SqlTime.instant(row.getObject("lower_bound", OffsetDateTime.class)),
                    SqlTime.instant(row.getObject("upper_bound", OffsetDateTime.class)),
                    row.getBoolean("is_default"), figure(row.getObject("size_bytes", Long.class)),
                    figure(row.getObject("row_count", Long.class)), row.getBoolean("detach_pending")),
                    table.schema(), table.name(), table.schema(), table.name());
            ConversionStats conversion = jdbc.query(ConversionStats.LATEST, ConversionStats.MAPPER,
                    table.schema(), table.name()).stream().findFirst().orElse(null);
            return jdbc.queryForObject(RETIREMENTS, (row, n) -> new Read(partitions, row.getLong("kept"), row.getLong("under_way"),
                    conversion), RetirementState.KEPT.sql(), table.schema(), table.name());
        });
        return new TableStats(configured, read.partitions(), read.kept(), read.underWay(), null, clock.instant(),
                read.conversion());
    }

    /** Null where partition_figures has none (a Citus partition no node holds a shard of): unknown, not 0. */
    private static long figure(Long value) {
        return value == null ? PartitionStats.UNKNOWN : value;
    }
}
