-- Issue 9, items 7 to 9: the SQL functions fail fast and clearly on rows and arguments that have
-- no month, serialise the making of a partition so that concurrent callers both succeed, and
-- read and print bounds exactly whatever the caller's DateStyle and TimeZone.
--
-- Every function here is replaced whole (CREATE OR REPLACE resets its settings), so each carries
-- its own search_path. Those that print SQL text to be run again (a bound, an index predicate,
-- a policy) do so under pg_dump's settings, so that text means the same in any session: with a
-- DateStyle other than ISO, a zone prints as an abbreviation, and Asia/Kolkata's IST was read
-- back as Israel time, America/Havana's CST as US Central time.

-- Every partition of a parent with its bounds. pg_get_expr prints a bound in the session's
-- DateStyle and TimeZone and partwarden.bound_value reads it back in the same ones; fixed to
-- ISO and UTC here, the text is '2027-01-01 00:00:00+00' and the instant exact.
CREATE OR REPLACE FUNCTION partwarden.partitions(parent regclass)
RETURNS TABLE (partition regclass, schema_name name, partition_name name,
               lower_bound timestamptz, upper_bound timestamptz,
               is_default boolean, detach_pending boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
SET DateStyle = 'ISO, YMD'
SET TimeZone = 'UTC'
AS $$
  SELECT c.oid::regclass, n.nspname, c.relname,
         partwarden.bound_value(b.parts[1]), partwarden.bound_value(b.parts[2]),
         b.printed = 'DEFAULT',
         coalesce((to_jsonb(i) ->> 'inhdetachpending')::boolean, false)
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS printed) p
    CROSS JOIN LATERAL (SELECT p.printed,
                               regexp_match(p.printed, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS parts) b
   WHERE i.inhparent = parent
   ORDER BY 4 NULLS LAST, 3
$$;

-- The statements that make one partition (see V1), printed under fixed settings: the bounds
-- as '2027-01-01 00:00:00+00', and any constant in a copied index exactly, for create_partition
-- to run and for the dry run to show.
CREATE OR REPLACE FUNCTION partwarden.partition_ddl(parent regclass, partition_name text,
                                         lower_bound timestamptz, upper_bound timestamptz)
RETURNS SETOF text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
SET extra_float_digits = 3
AS $$
DECLARE
  parent_schema name;
  parent_name name;
  parent_tablespace name;
  key_column name := partwarden.range_key_column(parent);
  parent_sql text;
  child_sql text;
  check_name text := partwarden.partition_object_name(partition_name, '', 'bounds', '_check');
  obj record;
  definition text;
  prefix text;
BEGIN
  IF (lower_bound IS NULL) <> (upper_bound IS NULL) THEN
    RAISE EXCEPTION 'partition % needs both bounds, or neither for the default partition', partition_name;
  END IF;
  IF lower_bound >= upper_bound THEN
    RAISE EXCEPTION 'partition % would be empty: lower bound % is not before upper bound %',
      partition_name, lower_bound, upper_bound;
  END IF;
  SELECT n.nspname, c.relname, t.spcname INTO parent_schema, parent_name, parent_tablespace
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
   WHERE c.oid = parent;
  parent_sql := format('%I.%I', parent_schema, parent_name);
  child_sql := format('%I.%I', parent_schema, partition_name);

  RETURN NEXT format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
                     ' INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION'
                     ' INCLUDING COMMENTS INCLUDING STATISTICS)%s',
                     child_sql, parent_sql,
                     CASE WHEN parent_tablespace IS NOT NULL
                          THEN format(' TABLESPACE %I', parent_tablespace) ELSE '' END);

  -- Primary keys and unique constraints: ATTACH adopts a child constraint only if it is one too.
  FOR obj IN
    SELECT con.conname, con.contype, pg_get_constraintdef(con.oid) AS def
      FROM pg_constraint con
     WHERE con.conrelid = parent AND con.contype IN ('p', 'u')
     ORDER BY con.contype, con.conname
  LOOP
    RETURN NEXT format('ALTER TABLE %s ADD CONSTRAINT %I %s', child_sql,
                       CASE WHEN obj.contype = 'p' THEN partition_name || '_pkey'
                            ELSE partwarden.partition_object_name(partition_name, parent_name, obj.conname, '_key') END,
                       obj.def);
  END LOOP;

  -- Other indexes: the parent's own definition with the partition's table and index name.
  FOR obj IN
    SELECT ic.relname AS index_name, ix.indisunique, pg_get_indexdef(ix.indexrelid) AS def
      FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
     WHERE ix.indrelid = parent
       AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.conrelid = parent)
     ORDER BY ic.relname
  LOOP
    prefix := format('CREATE %sINDEX %I ON ONLY %s USING ',
                     CASE WHEN obj.indisunique THEN 'UNIQUE ' ELSE '' END, obj.index_name, parent_sql);
    IF left(obj.def, length(prefix)) <> prefix THEN
      RAISE EXCEPTION 'cannot copy index % of %: unexpected definition %', obj.index_name, parent, obj.def;
    END IF;
    RETURN NEXT format('CREATE %sINDEX %I ON %s USING ',
                       CASE WHEN obj.indisunique THEN 'UNIQUE ' ELSE '' END,
                       partwarden.partition_object_name(partition_name, parent_name, obj.index_name, '_idx'),
                       child_sql) || substr(obj.def, length(prefix) + 1);
  END LOOP;

  IF lower_bound IS NULL THEN
    -- the default partition: no range to check, nothing to move into it
    RETURN NEXT format('SELECT partwarden.sync_partition_access(%L, %L)', parent_sql, child_sql);
    RETURN NEXT format('ALTER TABLE %s ATTACH PARTITION %s DEFAULT', parent_sql, child_sql);
    RETURN;
  END IF;
  RETURN NEXT format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL AND %I >= %L AND %I < %L)',
                     child_sql, check_name, key_column, key_column, lower_bound, key_column, upper_bound);
  RETURN NEXT format('SELECT partwarden.sync_partition_access(%L, %L)', parent_sql, child_sql);

  -- Rows that landed in the default partition for lack of this one move into it in the same
  -- transaction; otherwise ATTACH would fail on them.
  FOR obj IN SELECT p.partition FROM partwarden.partitions(parent) p WHERE p.is_default LOOP
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO definition
      FROM pg_attribute a
     WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    RETURN NEXT format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING %s)'
                       ' INSERT INTO %s (%s) SELECT %s FROM moved',
                       partwarden.qualified(obj.partition), key_column, lower_bound, key_column, upper_bound,
                       definition, child_sql, definition, definition);
  END LOOP;
  RETURN NEXT format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                     parent_sql, child_sql, lower_bound, upper_bound);
  RETURN NEXT format('ALTER TABLE %s DROP CONSTRAINT %I', child_sql, check_name);
END $$;

-- Makes one partition, atomically, or confirms it is there (see V1). Concurrent callers (the SQL
-- API, the service, a second replica) are serialised on the parent, so each finds what the one
-- before made: the same partition is returned, not a duplicate-name error. The lock, SHARE UPDATE
-- EXCLUSIVE, is the one ATTACH PARTITION needs anyway; taken first, it conflicts with itself, so
-- two creations queue, while inserts, updates and reads of the parent do not wait for it. An
-- advisory lock would serialise only Partwarden's own callers, not a hand-run ATTACH or DETACH.
-- The wait is bounded by the caller's lock_timeout. Bounds in messages print in UTC.
CREATE OR REPLACE FUNCTION partwarden.create_partition(parent regclass, partition_name text,
                                            lower_bound timestamptz, upper_bound timestamptz)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
SET DateStyle = 'ISO, YMD'
SET TimeZone = 'UTC'
AS $$
DECLARE
  existing record;
  parent_schema name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);
  statement text;
BEGIN
  -- First the lock, then the look at what exists: a second caller waits here, bounded by its
  -- lock_timeout, then finds the first one's partition instead of failing on a duplicate name.
  -- ONLY: the parent alone, not every partition.
  EXECUTE format('LOCK TABLE ONLY %s IN SHARE UPDATE EXCLUSIVE MODE', partwarden.qualified(parent));
  SELECT * INTO existing FROM partwarden.partitions(parent) p
   WHERE p.schema_name = parent_schema AND p.partition_name = create_partition.partition_name;
  IF FOUND THEN
    IF existing.lower_bound IS NOT DISTINCT FROM create_partition.lower_bound
       AND existing.upper_bound IS NOT DISTINCT FROM create_partition.upper_bound THEN
      RETURN partition_name;
    END IF;
    RAISE EXCEPTION 'partition % of % exists with bounds [%, %), not the requested [%, %)',
      partition_name, parent, existing.lower_bound, existing.upper_bound,
      create_partition.lower_bound, create_partition.upper_bound;
  END IF;
  IF octet_length(partition_name) > 63 THEN
    RAISE EXCEPTION 'partition name % is longer than 63 bytes, PostgreSQL''s limit', partition_name
      USING HINT = 'give the table a shorter name';
  END IF;
  IF to_regclass(format('%I.%I', parent_schema, partition_name)) IS NOT NULL THEN
    RAISE EXCEPTION 'relation %.% exists and is not a partition of %', parent_schema, partition_name, parent
      USING HINT = 'rename or drop it, or attach it yourself if it holds this range';
  END IF;
  SELECT * INTO existing FROM partwarden.partitions(parent) p
   WHERE CASE WHEN create_partition.lower_bound IS NULL THEN p.is_default
              ELSE NOT p.is_default AND p.lower_bound < create_partition.upper_bound
                   AND p.upper_bound > create_partition.lower_bound END
   LIMIT 1;
  IF FOUND AND existing.is_default THEN
    RAISE EXCEPTION '% already has the default partition %', parent, existing.partition_name;
  ELSIF FOUND THEN
    RAISE EXCEPTION 'partition % [%, %) would overlap partition % [%, %) of %',
      partition_name, create_partition.lower_bound, create_partition.upper_bound,
      existing.partition_name, existing.lower_bound, existing.upper_bound, parent;
  END IF;

  FOR statement IN SELECT * FROM partwarden.partition_ddl(parent, partition_name, lower_bound, upper_bound) LOOP
    EXECUTE statement;
  END LOOP;
  RETURN partition_name;
END $$;

-- create_month_partition, check_convertible and convert_to_monthly_partitions: see
-- db/partwarden-functions/conversion.sql, installed as migration 8.1 and before a first conversion.

-- ---------------------------------------------------------------------------------------------
-- The spec's SQL API.
-- ---------------------------------------------------------------------------------------------

-- The spec's CURRENT_DATE + interval '1 month' is a timestamp without time zone: without this
-- overload it was cast to timestamptz in the session's TimeZone, and at UTC+13 midnight on the
-- 1st named the month before. Like the date, a timestamp means the month as written; a
-- timestamptz (now(), a row's ts) the month, in UTC, that a row with that ts lands in. An
-- untyped literal still resolves to the timestamptz overload, timestamptz being the preferred
-- type of its category.
CREATE OR REPLACE FUNCTION "${events_schema}".create_workflow_events_partition(partition_date timestamp)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
BEGIN
  PERFORM partwarden.bound_lock_wait();
  RETURN partwarden.create_month_partition(format('%I.workflow_events', '${events_schema}')::regclass,
                                           partition_date AT TIME ZONE 'UTC');
END $$;

-- The current month and the next 3 in UTC months: with the session's TimeZone, now() + 1 month
-- could stay in the current UTC month (at 18:00 on the last day in Los Angeles) and the third
-- month ahead was never made.
CREATE OR REPLACE FUNCTION "${events_schema}".maintain_workflow_events_partitions()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
SET DateStyle = 'ISO, YMD'
SET TimeZone = 'UTC'
AS $$
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

-- The cutoff in UTC months, like the bounds it is compared with; the notices print them in UTC.
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

COMMENT ON FUNCTION "${events_schema}".create_workflow_events_partition(timestamp) IS
  'Creates the monthly partition of workflow_events for the month written (bounds at 00:00 UTC), as for a date';
COMMENT ON FUNCTION "${events_schema}".create_workflow_events_partition(timestamptz) IS
  'Creates the monthly partition of workflow_events that a row with that ts lands in (months in UTC)';
