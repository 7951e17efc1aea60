-- workflow_events, partitioned by month, whichever of three states the database is in:
--   absent           create it as the spec's Table Structure, 2 months back to premake ahead;
--   a plain table    (what MeshHook ships) convert it, keeping everything (see V2);
--   partitioned      (the spec's own migration ran) adopt it without touching a row.
-- Placeholders come from Partwarden's configuration (see FlywayPlaceholders).

CREATE FUNCTION partwarden.has_index_on(tbl regclass, columns name[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_index ix
     WHERE ix.indrelid = tbl AND ix.indpred IS NULL AND ix.indexprs IS NULL
       AND ix.indkey::int2[] = ARRAY(SELECT a.attnum FROM unnest(columns) WITH ORDINALITY c(name, ord)
                                       JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = c.name
                                      ORDER BY c.ord))
$$;

-- The spec's three indexes, declared once on the parent so that every partition, however it
-- is made, has them; partwarden.partition_ddl names each partition's copy as the spec says.
CREATE FUNCTION partwarden.ensure_spec_indexes(events regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  spec record;
  schema_name name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = events);
BEGIN
  FOR spec IN SELECT * FROM (VALUES ('run_id', ARRAY['run_id']::name[]),
                                    ('run_ts', ARRAY['run_id', 'ts']::name[]),
                                    ('type', ARRAY['type']::name[])) s(stem, columns) LOOP
    IF NOT partwarden.has_index_on(events, spec.columns) THEN
      -- MeshHook's name, or where another relation holds it, the one PostgreSQL would pick;
      -- either way partition_ddl names the partitions' copies {partition}_{stem}_idx.
      -- On a partitioned table this attaches each partition's equivalent index where one
      -- exists (the spec's migration made them) and builds only the missing ones.
      EXECUTE format('CREATE INDEX %I ON %s (%s)',
                     CASE WHEN to_regclass(format('%I.%I', schema_name, 'idx_workflow_events_' || spec.stem)) IS NULL
                          THEN 'idx_workflow_events_' || spec.stem ELSE 'workflow_events_' || spec.stem || '_idx' END,
                     events, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(spec.columns) c));
    END IF;
  END LOOP;
END $$;

DO $migrate$
DECLARE
  schema_name name := '${events_schema}';
  events_sql text := format('%I.workflow_events', '${events_schema}');
  events regclass := to_regclass(format('%I.workflow_events', '${events_schema}'));
  runs regclass := to_regclass(format('%I.workflow_runs', '${events_schema}'));
  partition record;
  month_offset int;
BEGIN
  IF events IS NULL THEN
    EXECUTE format($ddl$
      CREATE TABLE %s (
        id bigserial,
        run_id uuid NOT NULL,
        ts timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, ts)
      ) PARTITION BY RANGE (ts)$ddl$, events_sql);
    events := events_sql::regclass;
    EXECUTE format('COMMENT ON TABLE %s IS %L', events,
                   'Event sourcing log for deterministic replay - partitioned by timestamp for performance');
    IF runs IS NOT NULL THEN
      EXECUTE format('ALTER TABLE %s ADD CONSTRAINT workflow_events_run_id_fkey'
                     ' FOREIGN KEY (run_id) REFERENCES %s (id) ON DELETE CASCADE', events, runs);
    ELSE
      RAISE WARNING 'Partwarden: %.workflow_runs does not exist, so %.workflow_events was created without its foreign key to workflow_runs(id)',
        schema_name, schema_name;
    END IF;
    PERFORM partwarden.ensure_spec_indexes(events);
    FOR month_offset IN -2..3 LOOP  -- the spec's initial setup; the pass then keeps the configured premake
      PERFORM partwarden.create_month_partition(events, now() + make_interval(months => month_offset));
    END LOOP;
    RAISE NOTICE 'Partwarden: created % partitioned by month', events;

  ELSIF (SELECT relkind FROM pg_class WHERE oid = events) = 'r' THEN
    RAISE NOTICE 'Partwarden: converting % to monthly partitions, % partitions made',
      events, partwarden.convert_to_monthly_partitions(events, 'ts', 3, '${lock_timeout}', ${lock_attempts});

  ELSIF (SELECT relkind FROM pg_class WHERE oid = events) = 'p' THEN
    PERFORM partwarden.range_key_column(events);
    PERFORM partwarden.lock_with_retry(ARRAY[format('LOCK TABLE %s IN SHARE MODE', events)],
                                       '${lock_timeout}', ${lock_attempts});
    PERFORM partwarden.ensure_spec_indexes(events);
    FOR partition IN SELECT p.partition FROM partwarden.partitions(events) p LOOP
      PERFORM partwarden.sync_partition_access(events, partition.partition);
    END LOOP;
    RAISE NOTICE 'Partwarden: adopted %, already partitioned; no row was rewritten', events;
    IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = events) THEN
      RAISE WARNING 'Partwarden: row level security is off on % (the spec''s own migration drops it with the old table): enable it and create the policies again', events;
    END IF;

  ELSE
    RAISE EXCEPTION '% exists but is neither a table nor a partitioned table (relkind %)',
      events, (SELECT relkind FROM pg_class WHERE oid = events);
  END IF;
END $migrate$;

-- ---------------------------------------------------------------------------------------------
-- The spec's SQL API: same names, parameter names and result columns as the migration
-- published beside the spec, so existing callers keep working; bodies go through Partwarden's
-- functions, the same path the service uses.
-- ---------------------------------------------------------------------------------------------

-- The SQL API is also run by hand or from pg_cron, where lock_timeout is usually 0 (wait for
-- ever). Bound the wait for the rest of the caller's transaction unless the caller chose a bound.
CREATE FUNCTION partwarden.bound_lock_wait() RETURNS void
LANGUAGE sql AS $$
  SELECT CASE WHEN current_setting('lock_timeout') IN ('0', '0ms')
              THEN set_config('lock_timeout', '${sql_api_lock_timeout}', true) END;
$$;

CREATE OR REPLACE FUNCTION "${events_schema}".create_workflow_events_partition(partition_date date)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM partwarden.bound_lock_wait();
  RETURN partwarden.create_month_partition(format('%I.workflow_events', '${events_schema}')::regclass,
                                           partition_date::timestamp AT TIME ZONE 'UTC');
END $$;

-- The spec calls it with CURRENT_DATE + interval '1 month' (a timestamp) and with now():
-- the partition that a row with that ts would land in.
CREATE FUNCTION "${events_schema}".create_workflow_events_partition(partition_date timestamptz)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM partwarden.bound_lock_wait();
  RETURN partwarden.create_month_partition(format('%I.workflow_events', '${events_schema}')::regclass,
                                           partition_date);
END $$;

CREATE OR REPLACE FUNCTION "${events_schema}".maintain_workflow_events_partitions()
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  month_offset int;
BEGIN
  PERFORM partwarden.bound_lock_wait();
  FOR month_offset IN 0..3 LOOP
    RAISE NOTICE 'Ensured partition exists: %',
      partwarden.create_month_partition(format('%I.workflow_events', '${events_schema}')::regclass,
                                        now() + make_interval(months => month_offset));
  END LOOP;
END $$;

-- The published one returned void; this one returns the names it dropped.
DO $$
BEGIN
  IF to_regprocedure(format('%I.drop_old_workflow_events_partitions(int)', '${events_schema}')) IS NOT NULL THEN
    DROP FUNCTION "${events_schema}".drop_old_workflow_events_partitions(int);
  END IF;
END $$;
CREATE FUNCTION "${events_schema}".drop_old_workflow_events_partitions(retention_months int DEFAULT 12)
RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  partition record;
  cutoff timestamptz;
BEGIN
  IF retention_months IS NULL OR retention_months < 1 THEN
    RAISE EXCEPTION 'retention_months must be a whole number of months, 1 or more; got %', retention_months;
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

CREATE FUNCTION partwarden.exact_row_count(tbl regclass) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s', tbl) INTO n;
  RETURN n;
END $$;

CREATE OR REPLACE FUNCTION "${events_schema}".get_workflow_events_partition_stats()
RETURNS TABLE (partition_name text, start_date date, end_date date, row_count bigint,
               size_bytes bigint, size_pretty text)
LANGUAGE sql STABLE AS $$
  SELECT p.partition_name::text,
         (p.lower_bound AT TIME ZONE 'UTC')::date,
         (p.upper_bound AT TIME ZONE 'UTC')::date,
         partwarden.exact_row_count(p.partition),
         pg_total_relation_size(p.partition),
         pg_size_pretty(pg_total_relation_size(p.partition))
    FROM partwarden.partitions(to_regclass(format('%I.workflow_events', '${events_schema}'))) p
   ORDER BY p.partition_name
$$;

-- row_count_estimate is pg_class.reltuples, which VACUUM, ANALYZE and autovacuum keep; a
-- partition none of them has visited yet (reltuples -1) is counted exactly instead.
CREATE OR REPLACE VIEW "${events_schema}".workflow_events_partition_info AS
SELECT p.schema_name AS schemaname,
       p.partition_name,
       pg_size_pretty(pg_total_relation_size(p.partition)) AS size,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint
            ELSE partwarden.exact_row_count(p.partition) END AS row_count_estimate
  FROM partwarden.partitions(to_regclass(format('%I.workflow_events', '${events_schema}'))) p
  JOIN pg_class c ON c.oid = p.partition
 ORDER BY p.partition_name;

-- SQL, not PL/pgSQL, so the planner can inline it and prune partitions on the time range.
CREATE OR REPLACE FUNCTION "${events_schema}".get_workflow_run_events(
  p_run_id uuid,
  p_start_ts timestamptz DEFAULT NULL,
  p_end_ts timestamptz DEFAULT NULL)
RETURNS TABLE (id bigint, run_id uuid, ts timestamptz, type text, payload jsonb, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT e.id, e.run_id, e.ts, e.type, e.payload, e.created_at
    FROM "${events_schema}".workflow_events e
   WHERE e.run_id = p_run_id
     AND (p_start_ts IS NULL OR e.ts >= p_start_ts)
     AND (p_end_ts IS NULL OR e.ts <= p_end_ts)
   ORDER BY e.ts, e.id
$$;

COMMENT ON FUNCTION "${events_schema}".create_workflow_events_partition(date) IS
  'Creates the monthly partition of workflow_events holding that date (bounds at 00:00 UTC)';
COMMENT ON FUNCTION "${events_schema}".create_workflow_events_partition(timestamptz) IS
  'Creates the monthly partition of workflow_events that a row with that ts lands in';
COMMENT ON FUNCTION "${events_schema}".maintain_workflow_events_partitions() IS
  'Ensures partitions of workflow_events exist for the current month and the next 3';
COMMENT ON FUNCTION "${events_schema}".drop_old_workflow_events_partitions(int) IS
  'Drops partitions wholly older than retention_months (default 12) and returns their names';
COMMENT ON FUNCTION "${events_schema}".get_workflow_events_partition_stats() IS
  'Every workflow_events partition with its bounds, exact row count and size';
COMMENT ON FUNCTION "${events_schema}".get_workflow_run_events(uuid, timestamptz, timestamptz) IS
  'Efficiently retrieves events for a workflow run with optional time range filtering';
COMMENT ON VIEW "${events_schema}".workflow_events_partition_info IS
  'Shows information about workflow_events partitions';
