-- The online conversion's state (issue 11): one row per conversion of a plain table into a
-- partitioned one, and the log of the keys its writers changed meanwhile. The conversion's
-- steps live in Java (io.partwarden.conversion), each its own short transaction that moves
-- this row from one committed state to the next, so a crash at any point resumes from here.

CREATE TABLE partwarden.conversion (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_schema name NOT NULL,                 -- the plain table, as named when begun
  source_name name NOT NULL,
  source_oid oid NOT NULL,                     -- the same table through every rename
  source_owner name NOT NULL,                  -- given to the partitioned table at the cut-over
  key_column name NOT NULL,                    -- the partition key (ts)
  id_column name NOT NULL,                     -- the single integer primary key column
  staged_oid oid,                              -- the partitioned table built beside it
  phase text NOT NULL CHECK (phase IN ('preparing', 'staging', 'backfilling', 'catching_up',
                                       'converted', 'finished', 'rolled_back', 'abandoned')),
  backfill_to bigint,                          -- the largest id when the capture began
  copied_through bigint,                       -- ids up to here are copied (same transaction as the rows)
  rows_copied bigint NOT NULL DEFAULT 0,
  rows_estimated bigint,
  saved jsonb NOT NULL DEFAULT '{}',           -- what a swap back needs: names, trigger states, publications
  blocked text,                                -- why it waits for the operator; null otherwise
  last_error text,                             -- the last transient failure, retried
  last_error_at timestamptz,
  cutover_attempts bigint NOT NULL DEFAULT 0,
  first_cutover_attempt_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(),
  cutover_at timestamptz,
  finish_after timestamptz,
  ended_at timestamptz,
  ended_by text CHECK (ended_by IN ('service', 'operator')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (phase IN ('preparing', 'abandoned') OR staged_oid IS NOT NULL),
  CHECK ((backfill_to IS NULL) = (copied_through IS NULL)),
  CHECK ((phase IN ('converted', 'finished', 'rolled_back')) = (cutover_at IS NOT NULL)),
  CHECK ((phase IN ('finished', 'rolled_back', 'abandoned')) = (ended_at IS NOT NULL))
);
COMMENT ON TABLE partwarden.conversion IS
  'Online conversions of plain tables into partitioned ones, one row each, with the phase reached';

-- One conversion under way per table.
CREATE UNIQUE INDEX conversion_under_way ON partwarden.conversion (source_oid)
  WHERE phase NOT IN ('finished', 'rolled_back', 'abandoned');

-- Keys the capture triggers saw change: before the cut-over on the plain table (direction f,
-- replayed into the partitioned one), after it on the partitioned table (r, replayed back into
-- the kept plain table so a rollback loses nothing). No foreign key to conversion: each write
-- would then lock the conversion row the steps hold FOR UPDATE.
CREATE TABLE partwarden.conversion_change (
  conversion_id bigint NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  direction "char" NOT NULL CHECK (direction IN ('f', 'r')),
  kind "char" NOT NULL CHECK (kind IN ('k', 't')),   -- a key's row changed; a TRUNCATE
  id bigint,
  PRIMARY KEY (conversion_id, seq),
  CHECK ((kind = 't') = (id IS NULL))
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
COMMENT ON TABLE partwarden.conversion_change IS
  'Keys changed in a table under online conversion, consumed as they are applied';

-- ---------------------------------------------------------------------------------------------
-- The spec's SQL API while workflow_events is converted online (design, section 13). Before the
-- cut-over the table is plain: its months are made on the partitioned table it becomes, and
-- drop_old_workflow_events_partitions drops nothing; after it, until --finish-conversion, retention
-- waits, as the service's does. get_workflow_run_events reads the plain table until the cut-over
-- binds it to the new one; get_workflow_events_partition_stats and workflow_events_partition_info
-- list no partition of a plain table.
-- ---------------------------------------------------------------------------------------------

-- The conversion a table takes part in (the plain table before the cut-over, the partitioned one
-- from the start), with how it stands in words, e.g. 'public.workflow_events is being converted
-- online (backfilling, 43%)'; a row of nulls if none is under way. SECURITY DEFINER: whoever may
-- call the SQL API may read this much of partwarden.conversion, and no more of it.
CREATE FUNCTION partwarden.conversion_status(tbl regclass, OUT phase text, OUT staged regclass, OUT status text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, partwarden, pg_temp
SET TimeZone = 'UTC'
AS $$
  SELECT c.phase, c.staged_oid::regclass,
         CASE WHEN c.phase = 'converted'
              THEN format('%I.%I was converted online at %s; the plain table is kept as %I.%I until --finish-conversion',
                          c.source_schema, c.source_name, to_char(c.cutover_at, 'YYYY-MM-DD HH24:MI:SS "UTC"'),
                          c.source_schema, c.source_name || '_unpartitioned')
              ELSE format('%I.%I is being converted online (%s%s)%s', c.source_schema, c.source_name, c.phase,
                          CASE WHEN c.phase = 'backfilling' AND c.rows_estimated > 0
                               THEN format(', %s%%', least(99, c.rows_copied * 100 / c.rows_estimated))
                               WHEN c.phase = 'catching_up' THEN ', 100%' ELSE '' END,
                          CASE WHEN c.blocked IS NOT NULL
                               THEN format('; it waits for the operator: %s', c.blocked) ELSE '' END)
         END
    FROM partwarden.conversion c
   WHERE tbl::oid IN (c.source_oid, c.staged_oid)
     AND c.phase IN ('preparing', 'staging', 'backfilling', 'catching_up', 'converted')
   ORDER BY c.id DESC
   LIMIT 1
$$;

-- As db/partwarden-functions/conversion.sql makes a month (that file is released, so this
-- replaces it here), and for a plain table under online conversion on the partitioned table it
-- becomes, which takes its name, partitions and all, at the cut-over: the SQL API's
-- create_workflow_events_partition and maintain_workflow_events_partitions keep working.
CREATE OR REPLACE FUNCTION partwarden.create_month_partition(parent regclass, month_start timestamptz) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
DECLARE
  lower_bound timestamptz;
  conversion record;
BEGIN
  IF month_start IS NULL OR NOT isfinite(month_start) THEN
    RAISE EXCEPTION 'cannot make the monthly partition of % holding %: %', partwarden.qualified(parent),
      coalesce(month_start::text, 'NULL'),
      CASE WHEN month_start IS NULL THEN 'give a date, a timestamp or a timestamptz'
           ELSE format('a partition holds a month; %s has none', month_start) END
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'pass a time within the month to make, e.g. ''2030-06-01''::date';
  END IF;
  SELECT * INTO conversion FROM partwarden.conversion_status(parent);
  IF conversion.phase IN ('preparing', 'staging', 'backfilling', 'catching_up') AND conversion.staged IS DISTINCT FROM parent THEN
    IF conversion.staged IS NULL THEN
      RAISE EXCEPTION '%: the partitioned table it becomes is not made yet, so no month of it can be made now',
        conversion.status
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'the conversion makes every month its rows need, from the oldest row''s to 3 months ahead;'
                     ' once it is past preparing, months are made on the table it becomes';
    END IF;
    RAISE NOTICE '%: the month is made on %, the partitioned table it becomes, which takes its name at the cut-over',
      conversion.status, partwarden.qualified(conversion.staged);
    parent := conversion.staged;
  END IF;
  lower_bound := partwarden.month_start(month_start);
  RETURN partwarden.create_partition(
    parent,
    (SELECT relname FROM pg_class WHERE oid = parent) || to_char(lower_bound AT TIME ZONE 'UTC', '"_y"YYYY"m"MM'),
    lower_bound,
    (lower_bound AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
END $$;

-- As migration 8 has it, but while workflow_events is converted online it drops nothing, saying
-- why: before the cut-over the plain table has no partition; after it, a partition dropped before
-- --finish-conversion would come back with --rollback-conversion, which swaps in the kept plain
-- table with every row it holds.
CREATE OR REPLACE FUNCTION "${events_schema}".drop_old_workflow_events_partitions(retention_months int DEFAULT 12)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
SET DateStyle = 'ISO, YMD'
SET TimeZone = 'UTC'
AS $$
DECLARE
  partition record;
  cutoff timestamptz;
  conversion record;
BEGIN
  IF retention_months IS NULL OR retention_months < 1 THEN
    RAISE EXCEPTION 'retention_months must be a whole number of months, 1 or more; got %', retention_months;
  END IF;
  SELECT * INTO conversion FROM partwarden.conversion_status(format('%I.workflow_events', '${events_schema}')::regclass);
  IF conversion.phase IS NOT NULL THEN
    RAISE NOTICE '%: drop_old_workflow_events_partitions drops nothing until %', conversion.status,
      CASE WHEN conversion.phase = 'converted'
           THEN '--finish-conversion (a partition dropped before it would come back with --rollback-conversion)'
           ELSE 'the cut-over' END;
    RETURN;
  END IF;
  cutoff := now() - make_interval(months => retention_months);
  PERFORM partwarden.bound_lock_wait();
  FOR partition IN
    SELECT p.partition, p.partition_name, p.lower_bound, p.upper_bound
      FROM partwarden.partitions(format('%I.workflow_events', '${events_schema}')::regclass) p
     WHERE NOT p.is_default AND p.upper_bound <= cutoff
     ORDER BY p.lower_bound
  LOOP
    EXECUTE format('DROP TABLE %s', partition.partition);
    RAISE NOTICE 'Dropped old partition: % [%, %)', partition.partition_name, partition.lower_bound, partition.upper_bound;
    RETURN NEXT partition.partition_name::text;
  END LOOP;
END $$;
