package io.partwarden.meshhook;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What {@code --verify} checks of the spec beyond any table's invariants: every partition of
 * {@code workflow_events} carries the spec's three indexes under the spec's names, and the spec's
 * SQL API is installed.
 */
@Component
public class SpecInvariants {

    static final String PARTITIONS_MISSING_SPEC_INDEXES = """
            SELECT p.partition_name || ' lacks index ' || p.partition_name || s.suffix
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass) p
             CROSS JOIN (VALUES ('_run_id_idx'), ('_run_ts_idx'), ('_type_idx')) s(suffix)
             WHERE NOT p.is_default AND to_regclass(format('%I.%I', p.schema_name, p.partition_name || s.suffix)) IS NULL
             ORDER BY 1""";
    static final String MISSING_SQL_API = """
            SELECT f || ' is not installed' FROM unnest(ARRAY[
                     'create_workflow_events_partition(date)', 'maintain_workflow_events_partitions()',
                     'drop_old_workflow_events_partitions(integer)', 'get_workflow_events_partition_stats()',
                     'get_workflow_run_events(uuid,timestamp with time zone,timestamp with time zone)']) f
             WHERE to_regprocedure(format('%I.', ?) || f) IS NULL
            UNION ALL
            SELECT 'workflow_events_partition_info is not installed'
             WHERE to_regclass(format('%I.workflow_events_partition_info', ?)) IS NULL""";

    private final JdbcTemplate jdbc;

    public SpecInvariants(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The partitions of the events table in {@code schema} that lack one of the spec's indexes. */
    public List<String> missingSpecIndexes(String schema) {
        return jdbc.queryForList(PARTITIONS_MISSING_SPEC_INDEXES, String.class, schema, MeshHookEvents.TABLE);
    }

    /** The parts of the spec's SQL API not installed in {@code schema}. */
    public List<String> missingSqlApi(String schema) {
        return new ArrayList<>(jdbc.queryForList(MISSING_SQL_API, String.class, schema, schema));
    }
}
