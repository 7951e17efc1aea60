package io.partwarden.metrics;

import java.sql.Array;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Sizes and rows of Citus partitions, summed over their shards. On the coordinator a distributed
 * partition is an empty shell: its own size and {@code reltuples} say nothing. One command runs
 * on every node at once ({@code run_command_on_all_nodes}), each node answering for all the
 * shards it holds, so a read costs one round trip per node, not one query per shard; a node that
 * does not answer fails the read rather than leaving its shards out of the sums. The nodes' own
 * sessions do not inherit the coordinator's lock timeout, but its statement timeout ends their
 * commands too: measured, a shard held in ACCESS EXCLUSIVE on a worker ended the read at the
 * statement timeout, with no command left waiting on the worker.
 */
final class CitusShardFigures {

    /** A partition's figures; {@code rows} is exact where a shard was never analysed (as for local partitions). */
    record Figures(long sizeBytes, long rows) {
    }

    /**
     * Run on each node, for the shards it holds of the named partitions: [shard id, partition,
     * size, rows]. {@code %L} is the partitions' qualified names, quoted by {@code format} on the
     * coordinator; a partition a retirement has just dropped is skipped, not an error.
     */
    static final String NODE_COMMAND = """
            SELECT coalesce(json_agg(json_build_array(s.shardid, t.relname, pg_total_relation_size(r.shard),
                       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint
                            ELSE (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %%s', r.shard),
                                                                        false, true, '')))[1]::text::bigint END)), '[]')
              FROM pg_dist_shard s
              JOIN pg_class t ON t.oid = s.logicalrelid
              CROSS JOIN LATERAL (SELECT to_regclass(shard_name(s.logicalrelid, s.shardid)) AS shard) r
              JOIN pg_class c ON c.oid = r.shard
             WHERE s.logicalrelid IN (SELECT to_regclass(p) FROM unnest(%L::text[]) p)""";
    static final String ON_EVERY_NODE = """
            SELECT nodeid, success, result FROM run_command_on_all_nodes(format(?, ?::text[]))""";
    /** A shard a reference table copies to every node is counted once. */
    static final String SUMS = """
            SELECT partition, sum(size_bytes)::bigint AS size_bytes, sum(row_count)::bigint AS row_count
              FROM (SELECT DISTINCT ON (e ->> 0) e ->> 1 AS partition, (e ->> 2)::bigint AS size_bytes,
                                                 (e ->> 3)::bigint AS row_count
                      FROM unnest(?::text[]) answer, json_array_elements(answer::json) e
                     ORDER BY e ->> 0) shard
             GROUP BY partition""";

    private final JdbcTemplate jdbc;

    CitusShardFigures(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param qualifiedPartitions the partitions as {@code schema.name}, each part quoted as needed
     * @return by partition name (unqualified, as pg_class has it); a partition with no shard
     *     found on any node is absent
     */
    Map<String, Figures> of(List<String> qualifiedPartitions) {
        List<String> answers = new ArrayList<>();
        jdbc.query(ON_EVERY_NODE, row -> {
            if (!row.getBoolean("success")) {
                throw new DataRetrievalFailureException("Citus node " + row.getLong("nodeid")
                        + " did not answer for its shards' sizes and rows: " + row.getString("result"));
            }
            answers.add(row.getString("result"));
        }, NODE_COMMAND, qualifiedPartitions.toArray(String[]::new));
        Map<String, Figures> figures = new HashMap<>();
        jdbc.query(SUMS, row -> {
            figures.put(row.getString("partition"), new Figures(row.getLong("size_bytes"), row.getLong("row_count")));
        }, (Object) answers.toArray(String[]::new));
        return figures;
    }
}
