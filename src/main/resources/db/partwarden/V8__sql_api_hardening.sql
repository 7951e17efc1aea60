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

-- A month's partition, named for it. Infinity and -infinity lie in no month (and gave no name),
-- a null in none either: refused saying so.
CREATE OR REPLACE FUNCTION partwarden.create_month_partition(parent regclass, month_start timestamptz) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
DECLARE
  lower_bound timestamptz;
BEGIN
  IF month_start IS NULL OR NOT isfinite(month_start) THEN
    RAISE EXCEPTION 'cannot make the monthly partition of % holding %: %', partwarden.qualified(parent),
      coalesce(month_start::text, 'NULL'),
      CASE WHEN month_start IS NULL THEN 'give a date, a timestamp or a timestamptz'
           ELSE format('a partition holds a month; %s has none', month_start) END
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'pass a time within the month to make, e.g. ''2030-06-01''::date';
  END IF;
  lower_bound := partwarden.month_start(month_start);
  RETURN partwarden.create_partition(
    parent,
    (SELECT relname FROM pg_class WHERE oid = parent) || to_char(lower_bound AT TIME ZONE 'UTC', '"_y"YYYY"m"MM'),
    lower_bound,
    (lower_bound AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
END $$;

-- Refuses what the conversion cannot carry over, before any change (see V2); now also rows
-- whose key is infinity or -infinity.
CREATE OR REPLACE FUNCTION partwarden.check_convertible(old regclass, key_column name) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
DECLARE
  key_type regtype;
  blockers text;
  label text := partwarden.qualified(old);
  nulls bigint;
  infinite bigint;
  minus_infinite bigint;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = old) <> 'r' THEN
    RAISE EXCEPTION '% is not a plain table (relkind %)', label, (SELECT relkind FROM pg_class WHERE oid = old);
  END IF;
  SELECT atttypid::regtype INTO key_type FROM pg_attribute
   WHERE attrelid = old AND attname = key_column AND NOT attisdropped;
  IF key_type IS DISTINCT FROM 'timestamptz'::regtype THEN
    RAISE EXCEPTION 'cannot partition % by %: the column is %', label, key_column,
      coalesce(key_type::text, 'missing');
  END IF;
  IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = old OR inhrelid = old) THEN
    RAISE EXCEPTION 'cannot convert %: it takes part in table inheritance', label;
  END IF;
  SELECT string_agg(format('%s (%s)', conname, partwarden.qualified(conrelid)), ', ') INTO blockers
    FROM pg_constraint WHERE confrelid = old AND contype = 'f';
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert %: foreign keys reference it: %', label, blockers
      USING HINT = 'a partitioned table''s unique keys must include the partition key; drop these foreign keys first';
  END IF;
  SELECT string_agg(DISTINCT partwarden.qualified(v.oid), ', ') INTO blockers
    FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
   WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = old AND v.oid <> old;
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert %: views depend on it: %', label, blockers
      USING HINT = 'drop them before and create them again after the conversion';
  END IF;
  SELECT string_agg(ic.relname, ', ') INTO blockers
    FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
   WHERE ix.indrelid = old AND ix.indisunique AND NOT ix.indisprimary
     AND NOT (SELECT attnum FROM pg_attribute WHERE attrelid = old AND attname = key_column) = ANY (ix.indkey::int2[]);
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert %: unique indexes do not include %: %', label, key_column, blockers
      USING HINT = 'a partitioned table''s unique keys must include the partition key';
  END IF;
  -- Rows no monthly partition can hold, counted in one read of the table: a null key, and
  -- infinity or -infinity, which lie in no month (the loop making partitions would never end).
  EXECUTE format('SELECT count(*) FILTER (WHERE %1$I IS NULL), count(*) FILTER (WHERE %1$I = %3$L),'
                 ' count(*) FILTER (WHERE %1$I = %4$L) FROM %2$s', key_column, label, 'infinity', '-infinity')
     INTO nulls, infinite, minus_infinite;
  IF nulls > 0 THEN
    RAISE EXCEPTION 'cannot convert %: % rows have no % to place them by', label, nulls, key_column;
  END IF;
  IF infinite + minus_infinite > 0 THEN
    RAISE EXCEPTION 'cannot convert %: % rows have a % of infinity or -infinity (% infinity, % -infinity), which no partition can hold',
      label, infinite + minus_infinite, key_column, infinite, minus_infinite
      USING HINT = format('a partition holds a month, and infinity lies in none; SELECT * FROM %s WHERE %I IN (''infinity'', ''-infinity'')'
                          ' lists them: give them a real time or delete them, then run the migration again', label, key_column);
  END IF;
END $$;

-- The conversion (see V2). It says how many partitions it makes, warns when that is more than
-- ten years of them, and refuses, before any change, more than the server's lock table can hold.
-- Index definitions, triggers and policies are printed and run again under fixed settings.
CREATE OR REPLACE FUNCTION partwarden.convert_to_monthly_partitions(old regclass, key_column name, premake int,
                                                         lock_timeout text, lock_attempts int)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
SET extra_float_digits = 3
AS $$
DECLARE
  schema_name name;
  table_name name;
  table_sql text;
  old_sql text;
  new_parent regclass;
  pk record;
  obj record;
  index_defs text[];
  trigger_defs text[];
  statement text;
  columns text;
  oldest timestamptz;
  newest timestamptz;
  month timestamptz;
  first_month timestamptz;
  last_month timestamptz;
  months bigint;
  locks_per_partition bigint;
  lock_table bigint;
  made int := 0;
BEGIN
  SELECT n.nspname, c.relname INTO schema_name, table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = old;
  table_sql := format('%I.%I', schema_name, table_name);

  -- Referenced tables first: adding the foreign keys needs SHARE ROW EXCLUSIVE on them, and
  -- taking every lock up front means none is waited for halfway through.
  PERFORM partwarden.lock_with_retry(
    ARRAY(SELECT format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', confrelid::regclass)
            FROM pg_constraint WHERE conrelid = old AND contype = 'f' AND confrelid <> old
           ORDER BY confrelid)
    || format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', table_sql),
    lock_timeout, lock_attempts);
  PERFORM partwarden.check_convertible(old, key_column);

  -- Partitions from the oldest row's month (2 months back at the latest) to premake months
  -- ahead or the newest row's, with no hole between, all made in this transaction. Each keeps
  -- its table, TOAST table, TOAST index and one index per index of the table locked until the
  -- end: more than the server's lock table holds would fail with "out of shared memory" after
  -- minutes with writers waiting, so it is refused here, before anything changes. Months are
  -- counted in UTC (this function's TimeZone), as partwarden.month_start bounds them.
  EXECUTE format('SELECT min(%I), max(%I) FROM %s', key_column, key_column, table_sql) INTO oldest, newest;
  first_month := partwarden.month_start(least(coalesce(oldest, now() - interval '2 months'), now() - interval '2 months'));
  last_month := greatest(partwarden.month_start(now()) + make_interval(months => premake),
                         partwarden.month_start(coalesce(newest, '-infinity')));
  months := (SELECT extract(year FROM a) * 12 + extract(month FROM a) + 1
               FROM age(last_month, first_month) a);
  locks_per_partition := 3 + (SELECT count(*) FROM pg_index WHERE indrelid = old);
  lock_table := current_setting('max_locks_per_transaction')::bigint
                * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint);
  IF months * locks_per_partition > lock_table THEN
    RAISE EXCEPTION 'cannot convert %: it needs % monthly partitions, from % (its oldest row has % %) to %, made in one'
                    ' transaction holding about % locks, more than the server''s lock table holds (%)',
      table_sql, months, to_char(first_month, 'YYYY-MM'), key_column, oldest, to_char(last_month, 'YYYY-MM'),
      months * locks_per_partition, lock_table
      USING ERRCODE = 'program_limit_exceeded',
            HINT = format('the lock table holds max_locks_per_transaction %s x (max_connections %s + max_prepared_transactions %s)'
                          ' locks; if the oldest rows are wrong, correct or delete them (SELECT * FROM %s ORDER BY %I LIMIT 10'
                          ' shows them), or raise max_locks_per_transaction (a restart), then run the migration again',
                          current_setting('max_locks_per_transaction'), current_setting('max_connections'),
                          current_setting('max_prepared_transactions'), table_sql, key_column);
  END IF;
  RAISE NOTICE 'Partwarden: converting % makes % monthly partitions, % to %',
    table_sql, months, to_char(first_month, 'YYYY-MM'), to_char(last_month, 'YYYY-MM');
  IF months > 120 THEN
    RAISE WARNING 'Partwarden: % gets % monthly partitions in one transaction, more than 120: its oldest row has % %',
      table_sql, months, key_column, oldest
      USING HINT = format('each row far in the past needs its month''s partition; if those rows are wrong, correct or delete'
                          ' them (SELECT * FROM %s ORDER BY %I LIMIT 10 shows them) and run the migration again',
                          table_sql, key_column);
  END IF;

  -- What has to be made again under the same names once the old table is out of the way.
  SELECT array_agg(s ORDER BY ord) INTO index_defs
    FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
    CROSS JOIN LATERAL (VALUES (1, pg_get_indexdef(ix.indexrelid)),
                               (2, format('COMMENT ON INDEX %I.%I IS %L', schema_name, ic.relname,
                                          obj_description(ic.oid, 'pg_class')))) v(ord, s)
   WHERE ix.indrelid = old AND s IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid);
  SELECT array_agg(s ORDER BY t.tgname, ord) INTO trigger_defs
    FROM pg_trigger t
    CROSS JOIN LATERAL (VALUES (1, pg_get_triggerdef(t.oid)),
                               (2, CASE t.tgenabled
                                     WHEN 'D' THEN format('ALTER TABLE %I.%I DISABLE TRIGGER %I', schema_name, table_name, t.tgname)
                                     WHEN 'R' THEN format('ALTER TABLE %I.%I ENABLE REPLICA TRIGGER %I', schema_name, table_name, t.tgname)
                                     WHEN 'A' THEN format('ALTER TABLE %I.%I ENABLE ALWAYS TRIGGER %I', schema_name, table_name, t.tgname)
                                   END)) v(ord, s)
   WHERE t.tgrelid = old AND NOT t.tgisinternal AND s IS NOT NULL;
  SELECT con.conname, array_agg(a.attname ORDER BY k.ord) AS cols INTO pk
    FROM pg_constraint con
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
   WHERE con.conrelid = old AND con.contype = 'p'
   GROUP BY con.conname;

  -- Move the old table and its indexes aside, so the new objects take the original names.
  old_sql := format('%I.%I', schema_name, left(table_name, 50) || '_pw_old');
  EXECUTE format('ALTER TABLE %s RENAME TO %I', table_sql, left(table_name, 50) || '_pw_old');
  FOR obj IN SELECT indexrelid FROM pg_index WHERE indrelid = old LOOP
    EXECUTE format('ALTER INDEX %s RENAME TO %I', obj.indexrelid::regclass, 'pw_old_' || obj.indexrelid);
  END LOOP;

  EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED'
                 ' INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS'
                 ' INCLUDING STATISTICS) PARTITION BY RANGE (%I)', table_sql, old_sql, key_column);
  new_parent := table_sql::regclass;
  IF pk.conname IS NOT NULL THEN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', table_sql, pk.conname,
                   (SELECT string_agg(quote_ident(c), ', ')
                      FROM unnest(pk.cols || CASE WHEN key_column = ANY (pk.cols) THEN '{}'::name[]
                                                  ELSE ARRAY[key_column] END) c));
  END IF;
  FOREACH statement IN ARRAY coalesce(index_defs, '{}') LOOP
    EXECUTE statement;
  END LOOP;
  PERFORM partwarden.copy_table_access(old, new_parent);

  month := first_month;
  WHILE month <= last_month LOOP
    PERFORM partwarden.create_month_partition(new_parent, month);
    made := made + 1;
    month := (month AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
  END LOOP;

  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
    FROM pg_attribute WHERE attrelid = old AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
  EXECUTE format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s',
                 table_sql, columns, columns, old_sql);

  -- Foreign keys are added after the copy: one validating join instead of a check per row.
  FOR obj IN SELECT conname, pg_get_constraintdef(oid) AS def, obj_description(oid, 'pg_constraint') AS note
               FROM pg_constraint WHERE conrelid = old AND contype = 'f' ORDER BY conname LOOP
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', table_sql, obj.conname, obj.def);
    IF obj.note IS NOT NULL THEN
      EXECUTE format('COMMENT ON CONSTRAINT %I ON %s IS %L', obj.conname, table_sql, obj.note);
    END IF;
  END LOOP;

  -- Sequences: serial columns keep their sequence (now owned by the new column); identity
  -- columns got a new one, which continues where the old one stood.
  FOR obj IN SELECT d.objid::regclass AS seq, a.attname, a.attidentity
               FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.refobjid = old AND d.deptype IN ('a', 'i')
                AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S' LOOP
    IF obj.attidentity = '' THEN
      EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', obj.seq, table_sql, obj.attname);
    ELSE
      EXECUTE format('SELECT setval(%L, last_value, is_called) FROM %s',
                     pg_get_serial_sequence(table_sql, obj.attname), obj.seq);
    END IF;
  END LOOP;

  EXECUTE format('DROP TABLE %s', old_sql);
  FOREACH statement IN ARRAY coalesce(trigger_defs, '{}') LOOP
    EXECUTE statement;
  END LOOP;
  EXECUTE format('ANALYZE %s', table_sql);
  RETURN made;
END $$;
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
