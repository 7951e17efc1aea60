-- The conversion's functions: making a month's partition, refusing what cannot be converted,
-- and the conversion itself (issue 9, item 7: rows of infinity are refused, the partitions to
-- make are counted, warned about above ten years and refused beyond the lock table).
--
-- Not a migration of its own: Partwarden installs this file as migration 8.1
-- (ConversionFunctionsMigration) and, on a database's first install, just before migration 3
-- converts workflow_events (ConversionFunctionsBeforeConversion), so that the first conversion
-- already refuses what V2's version would have run into for minutes. Every statement is
-- CREATE OR REPLACE and needs only migrations 1 and 2.

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
