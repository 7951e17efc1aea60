-- Converting a plain table into one partitioned by month, in one transaction, keeping what an
-- operator would expect to keep: every row of any age, the id sequence and its position, column
-- defaults and comments, checks, foreign keys, extra indexes, triggers, owner, grants (table and
-- column), row level security with its flags and every policy, publication membership.
-- Anything that cannot be carried over is refused up front, naming it, before anything changes.

-- Refuses what the conversion cannot carry over. Runs before any change.
CREATE FUNCTION partwarden.check_convertible(old regclass, key_column name) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  key_type regtype;
  blockers text;
  label text := partwarden.qualified(old);
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
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = old AND attname = key_column AND NOT attnotnull) THEN
    EXECUTE format('SELECT count(*) FROM %s WHERE %I IS NULL', label, key_column) INTO blockers;
    IF blockers::bigint > 0 THEN
      RAISE EXCEPTION 'cannot convert %: % rows have no % to place them by', label, blockers, key_column;
    END IF;
  END IF;
END $$;

-- The conversion itself. Writers of the table wait while it runs (it holds ACCESS EXCLUSIVE
-- from the start, taken with lock_with_retry so a long reader delays it rather than the
-- application), and resume on the new table when it commits: PostgreSQL looks the name up
-- again after a lock wait, and cached plans are rebuilt.
CREATE FUNCTION partwarden.convert_to_monthly_partitions(old regclass, key_column name, premake int,
                                                         lock_timeout text, lock_attempts int)
RETURNS int
LANGUAGE plpgsql AS $$
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

  -- Partitions from the oldest row's month to premake months ahead, with no hole between.
  EXECUTE format('SELECT min(%I), max(%I) FROM %s', key_column, key_column, old_sql) INTO oldest, newest;
  month := partwarden.month_start(least(coalesce(oldest, now() - interval '2 months'), now() - interval '2 months'));
  WHILE month <= greatest(partwarden.month_start(now()) + make_interval(months => premake),
                          coalesce(newest, '-infinity')) LOOP
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

-- Gives the new table what a role, an auditor or the application sees of the old one: owner,
-- table comment, table and column grants exactly as they were, row level security with both
-- flags and every policy (with its comment), and membership of publications.
CREATE FUNCTION partwarden.copy_table_access(old regclass, new regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  o record;
  item record;
BEGIN
  SELECT relowner, relacl, relrowsecurity, relforcerowsecurity, relreplident, reloptions INTO o
    FROM pg_class WHERE oid = old;
  EXECUTE format('ALTER TABLE %s OWNER TO %I', new, pg_get_userbyid(o.relowner));
  IF obj_description(old, 'pg_class') IS NOT NULL THEN
    EXECUTE format('COMMENT ON TABLE %s IS %L', new, obj_description(old, 'pg_class'));
  END IF;

  -- Start from nothing, so default privileges of whoever runs this do not leak in.
  FOR item IN SELECT DISTINCT a.grantee FROM pg_class k, aclexplode(k.relacl) a
               WHERE k.oid = new AND a.grantee <> k.relowner LOOP
    EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', new, partwarden.grantee_sql(item.grantee));
  END LOOP;
  FOR item IN SELECT a.grantee, a.privilege_type, a.is_grantable
                FROM aclexplode(coalesce(o.relacl, acldefault('r', o.relowner))) a
               WHERE a.grantee <> o.relowner LOOP
    EXECUTE format('GRANT %s ON TABLE %s TO %s%s', item.privilege_type, new, partwarden.grantee_sql(item.grantee),
                   CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
  FOR item IN SELECT att.attname, a.grantee, a.privilege_type, a.is_grantable
                FROM pg_attribute att, aclexplode(att.attacl) a
               WHERE att.attrelid = old AND att.attacl IS NOT NULL AND NOT att.attisdropped LOOP
    EXECUTE format('GRANT %s (%I) ON TABLE %s TO %s%s', item.privilege_type, item.attname, new,
                   partwarden.grantee_sql(item.grantee),
                   CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;

  IF o.relrowsecurity THEN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', new);
  END IF;
  IF o.relforcerowsecurity THEN
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', new);
  END IF;
  FOR item IN SELECT pol.oid, pol.polname, pol.polpermissive, pol.polcmd,
                     pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
                     pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr,
                     (SELECT string_agg(partwarden.grantee_sql(r), ', ') FROM unnest(pol.polroles) r) AS roles
                FROM pg_policy pol WHERE pol.polrelid = old ORDER BY pol.polname LOOP
    EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', item.polname, new,
                   CASE WHEN item.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                   CASE item.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                    WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                   item.roles,
                   CASE WHEN item.using_expr IS NOT NULL THEN format(' USING (%s)', item.using_expr) ELSE '' END,
                   CASE WHEN item.check_expr IS NOT NULL THEN format(' WITH CHECK (%s)', item.check_expr) ELSE '' END);
    IF obj_description(item.oid, 'pg_policy') IS NOT NULL THEN
      EXECUTE format('COMMENT ON POLICY %I ON %s IS %L', item.polname, new, obj_description(item.oid, 'pg_policy'));
    END IF;
  END LOOP;

  FOR item IN SELECT pub.pubname FROM pg_publication_rel pr JOIN pg_publication pub ON pub.oid = pr.prpubid
               WHERE pr.prrelid = old LOOP
    EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', item.pubname, new);
  END LOOP;

  -- A partitioned table holds no storage, so these cannot move to it; say so rather than drop them silently.
  IF o.reloptions IS NOT NULL THEN
    RAISE WARNING 'storage parameters of % were not carried over to the partitioned table: %', old, o.reloptions;
  END IF;
  IF o.relreplident NOT IN ('d', 'n') THEN
    RAISE WARNING 'replica identity of % (%) was not carried over; set it again on the partitions', old, o.relreplident;
  END IF;
END $$;
