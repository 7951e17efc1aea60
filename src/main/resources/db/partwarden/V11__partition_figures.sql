-- Sizes and rows of a table's partitions, one path for the service's metrics and health and for
-- the spec's SQL API (issue 15). Where Citus distributes the table, a partition on the
-- coordinator is an empty shell: its size and reltuples say nothing, so they are summed over its
-- shards instead.

-- size_bytes: table, indexes and TOAST; row_count: pg_class.reltuples, or an exact count where no
-- VACUUM or ANALYZE has run yet (with exact_rows, an exact count always). Of a Citus partition, both summed over its shards: one command
-- runs on every node at once (run_command_on_all_nodes), each node answering for all the shards it
-- holds, so a read costs one round trip per node, not one query per shard; a shard a reference
-- table copies to every node counts once. A node that does not answer fails the call rather than
-- leaving its shards out of the sums; a partition no node holds a shard of has null figures.
-- Citus is looked up by EXECUTE: without it, pg_dist_partition does not exist to be named.
CREATE FUNCTION partwarden.partition_figures(parent regclass, exact_rows boolean DEFAULT false)
RETURNS TABLE (partition regclass, size_bytes bigint, row_count bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
DECLARE
  distributed boolean := false;
  answer record;
  answers text[] := '{}';
BEGIN
  IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1)' INTO distributed USING parent;
  END IF;
  IF NOT distributed THEN
    RETURN QUERY
      SELECT p.partition, pg_total_relation_size(p.partition),
             CASE WHEN NOT exact_rows AND c.reltuples >= 0 THEN c.reltuples::bigint
                  ELSE partwarden.exact_row_count(p.partition) END
        FROM partwarden.partitions(parent) p JOIN pg_class c ON c.oid = p.partition;
    RETURN;
  END IF;
  FOR answer IN EXECUTE 'SELECT nodeid, success, result FROM pg_catalog.run_command_on_all_nodes($1)'
    USING format($node$
      SELECT coalesce(json_agg(json_build_array(s.shardid, t.relname, pg_total_relation_size(r.shard),
                 CASE WHEN NOT %2$L::boolean AND c.reltuples >= 0 THEN c.reltuples::bigint
                      ELSE (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %%s', r.shard),
                                                                  false, true, '')))[1]::text::bigint END)), '[]')
        FROM pg_catalog.pg_dist_shard s
        JOIN pg_catalog.pg_class t ON t.oid = s.logicalrelid
        CROSS JOIN LATERAL (SELECT to_regclass(shard_name(s.logicalrelid, s.shardid)) AS shard) r
        JOIN pg_catalog.pg_class c ON c.oid = r.shard
       WHERE s.logicalrelid IN (SELECT to_regclass(p) FROM unnest(%1$L::text[]) p)$node$,
      (SELECT array_agg(format('%I.%I', p.schema_name, p.partition_name)) FROM partwarden.partitions(parent) p), exact_rows)
  LOOP
    IF NOT answer.success THEN
      RAISE EXCEPTION 'Citus node % did not answer for the sizes and rows of the shards of %: %',
        answer.nodeid, parent, answer.result;
    END IF;
    answers := answers || answer.result;
  END LOOP;
  RETURN QUERY
    SELECT p.partition, f.size_bytes, f.row_count
      FROM partwarden.partitions(parent) p
      LEFT JOIN (SELECT shard.relname, sum(shard.size_bytes)::bigint AS size_bytes, sum(shard.row_count)::bigint AS row_count
                   FROM (SELECT DISTINCT ON (e ->> 0) e ->> 1 AS relname, (e ->> 2)::bigint AS size_bytes,
                                                      (e ->> 3)::bigint AS row_count
                           FROM unnest(answers) a, json_array_elements(a::json) e
                          ORDER BY e ->> 0) shard
                  GROUP BY shard.relname) f ON f.relname = p.partition_name;
END $$;

COMMENT ON FUNCTION partwarden.partition_figures(regclass, boolean) IS
  'Size (table, indexes, TOAST) and rows (reltuples, or exact where never analysed or exact_rows) of each partition; of a Citus partition, summed over its shards';

-- The spec's statistics through partition_figures, row_count the spec's exact count (on Citus,
-- each shard counted on its node). Same columns as migration 3's.
CREATE OR REPLACE FUNCTION "${events_schema}".get_workflow_events_partition_stats()
RETURNS TABLE (partition_name text, start_date date, end_date date, row_count bigint,
               size_bytes bigint, size_pretty text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
  SELECT p.partition_name::text,
         (p.lower_bound AT TIME ZONE 'UTC')::date,
         (p.upper_bound AT TIME ZONE 'UTC')::date,
         f.row_count,
         f.size_bytes,
         pg_size_pretty(f.size_bytes)
    FROM partwarden.partitions(to_regclass(format('%I.workflow_events', '${events_schema}'))) p
    LEFT JOIN partwarden.partition_figures(to_regclass(format('%I.workflow_events', '${events_schema}')), true) f
      ON f.partition = p.partition
   ORDER BY p.partition_name
$$;

CREATE OR REPLACE VIEW "${events_schema}".workflow_events_partition_info AS
SELECT p.schema_name AS schemaname,
       p.partition_name,
       pg_size_pretty(f.size_bytes) AS size,
       f.row_count AS row_count_estimate
  FROM partwarden.partitions(to_regclass(format('%I.workflow_events', '${events_schema}'))) p
  LEFT JOIN partwarden.partition_figures(to_regclass(format('%I.workflow_events', '${events_schema}'))) f
    ON f.partition = p.partition
 ORDER BY p.partition_name;
