-- The online conversion's part of migration 3 (docs/design/online-conversion.md, section 3): the
-- migration leaves a large plain workflow_events as it is and the service converts it online
-- afterwards, beside the live table. Migration 3 is released and never edited, so its call of
-- convert_to_monthly_partitions is answered here instead: ConversionFunctionsBeforeConversion
-- installs this file just before migration 3, and only when the conversion is to be online. The
-- replacement reads the catalog alone (no row, no lock beyond what reading it takes), refuses what
-- the online conversion cannot carry over, and changes nothing. Migration 8.1, later in the same
-- run, installs conversion.sql again: the replacement never outlives migration 3.

-- What the online conversion refuses, before anything changes, each naming the culprit: what
-- check_convertible refuses that the catalog tells (the rows it counts are the service's preparing
-- scan's), and what only the online conversion cannot do. The service runs it again when it
-- begins the conversion.
CREATE OR REPLACE FUNCTION partwarden.check_online_convertible(old regclass, key_column name) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
DECLARE
  label text := partwarden.qualified(old);
  kind "char";
  owner_oid oid;
  key_type regtype;
  blockers text;
  pk record;
  in_place text := 'set partwarden.migration.conversion=in-place to convert it in one transaction instead';
BEGIN
  SELECT relkind, relowner INTO kind, owner_oid FROM pg_class WHERE oid = old;
  IF kind <> 'r' THEN
    RAISE EXCEPTION '% is not a plain table (relkind %)', label, kind;
  END IF;
  SELECT atttypid::regtype INTO key_type FROM pg_attribute
   WHERE attrelid = old AND attname = key_column AND NOT attisdropped;
  IF key_type IS DISTINCT FROM 'timestamptz'::regtype THEN
    RAISE EXCEPTION 'cannot partition % by %: the column is %', label, key_column, coalesce(key_type::text, 'missing');
  END IF;
  IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = old OR inhrelid = old) THEN
    RAISE EXCEPTION 'cannot convert %: it takes part in table inheritance', label;
  END IF;
  SELECT string_agg(format('%s (%s)', conname, partwarden.qualified(conrelid)), ', ' ORDER BY conname) INTO blockers
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
  SELECT string_agg(ic.relname, ', ' ORDER BY ic.relname) INTO blockers
    FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
   WHERE ix.indrelid = old AND ix.indisunique AND NOT ix.indisprimary
     AND NOT (SELECT attnum FROM pg_attribute WHERE attrelid = old AND attname = key_column) = ANY (ix.indkey::int2[]);
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert %: unique indexes do not include %: %', label, key_column, blockers
      USING HINT = 'a partitioned table''s unique keys must include the partition key';
  END IF;

  -- The online conversion's own: it copies and replays by one integer key.
  SELECT con.conname, count(*) AS key_columns,
         string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY k.ord) AS described,
         bool_and(a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS all_integer
    INTO pk
    FROM pg_constraint con
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
   WHERE con.conrelid = old AND con.contype = 'p'
   GROUP BY con.conname;
  IF pk.conname IS NULL THEN
    RAISE EXCEPTION 'cannot convert % online: it has no primary key; the online conversion copies by a single integer primary key',
      label USING HINT = 'give it one, or ' || in_place;
  END IF;
  IF pk.key_columns <> 1 OR NOT pk.all_integer THEN
    RAISE EXCEPTION 'cannot convert % online: its primary key % is (%), not one smallint, integer or bigint column;'
                    ' the online conversion copies by a single integer primary key', label, pk.conname, pk.described
      USING HINT = in_place;
  END IF;
  SELECT string_agg(format('%I (to %s)', conname, partwarden.qualified(confrelid)), ', ' ORDER BY conname) INTO blockers
    FROM pg_constraint WHERE conrelid = old AND contype = 'f' AND NOT convalidated;
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert % online: foreign keys of it are NOT VALID: %; the table built beside it gets them'
                    ' before the copy, checked row by row, and rows never checked may break them', label, blockers
      USING HINT = format('validate them first (ALTER TABLE %s VALIDATE CONSTRAINT ...), or %s', label, in_place);
  END IF;
  -- Until replay has caught up, the table built beside it may hold a copy of a row the writer has
  -- just deleted: a foreign key that forbids deleting the row it references would make the writer's
  -- delete of that row (a run after its events) fail on the copy.
  SELECT string_agg(format('%I (to %s, ON DELETE %s)', conname, partwarden.qualified(confrelid),
                           CASE confdeltype WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END), ', ' ORDER BY conname) INTO blockers
    FROM pg_constraint WHERE conrelid = old AND contype = 'f' AND confdeltype IN ('a', 'r');
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert % online: foreign keys of it forbid deleting the rows they reference: %; the table built'
                    ' beside it holds copies until the changes are replayed, and such a delete would fail on them', label, blockers
      USING HINT = 'make them ON DELETE CASCADE or SET NULL if that is what the application means, or ' || in_place;
  END IF;
  SELECT string_agg(quote_ident(pubname), ', ' ORDER BY pubname) INTO blockers FROM pg_publication WHERE puballtables;
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert % online: publication % publishes every table (FOR ALL TABLES), so it would also publish'
                    ' the conversion''s change log (partwarden.conversion_change) and the table built beside %', label, blockers, label
      USING HINT = 'create it again FOR TABLE naming the tables it is for, or ' || in_place;
  END IF;
  IF to_regclass('pg_catalog.pg_publication_namespace') IS NOT NULL THEN  -- FOR TABLES IN SCHEMA: PostgreSQL 15 on
    EXECUTE 'SELECT string_agg(quote_ident(p.pubname), '', '' ORDER BY p.pubname) FROM pg_publication p'
            ' JOIN pg_publication_namespace pn ON pn.pnpubid = p.oid WHERE pn.pnnspid = $1'
       INTO blockers USING 'partwarden'::regnamespace;
    IF blockers IS NOT NULL THEN
      RAISE EXCEPTION 'cannot convert % online: publication % publishes schema partwarden (FOR TABLES IN SCHEMA), so it would'
                      ' publish the conversion''s change log (partwarden.conversion_change) and the table built beside %',
        label, blockers, label
        USING HINT = 'drop schema partwarden from it (ALTER PUBLICATION ... DROP TABLES IN SCHEMA partwarden), or ' || in_place;
    END IF;
  END IF;
  -- A function whose body is parsed once (BEGIN ATOMIC) stays bound to the old table after the
  -- swap; the service binds the spec's get_workflow_run_events to the new one itself.
  SELECT string_agg(DISTINCT p.oid::regprocedure::text, ', ') INTO blockers
    FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
   WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = old
     AND p.oid IS DISTINCT FROM to_regprocedure(format('%I.get_workflow_run_events(uuid, timestamptz, timestamptz)',
                                                       (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                                         WHERE c.oid = old)));
  IF blockers IS NOT NULL THEN
    RAISE EXCEPTION 'cannot convert % online: functions whose body is bound to it (BEGIN ATOMIC) would keep reading the'
                    ' old table after the swap: %', label, blockers
      USING HINT = 'drop them before and create them again after the conversion, or ' || in_place;
  END IF;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND NOT pg_has_role(current_user, owner_oid, 'USAGE') THEN
    RAISE EXCEPTION 'cannot convert % online: role % neither owns it (its owner is %) nor is a superuser; the online conversion'
                    ' creates triggers on it and gives the new table its owner', label, current_user, pg_get_userbyid(owner_oid)
      USING HINT = format('run Partwarden as %s, a role that is a member of it, or a superuser', pg_get_userbyid(owner_oid));
  END IF;
END $$;

-- Migration 3's call, answered while the conversion is to be online: the checks above, the reason
-- (set by ConversionFunctionsBeforeConversion for this transaction), and no partition made.
CREATE OR REPLACE FUNCTION partwarden.convert_to_monthly_partitions(old regclass, key_column name, premake int,
                                                         lock_timeout text, lock_attempts int)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
BEGIN
  PERFORM partwarden.check_online_convertible(old, key_column);
  RAISE NOTICE 'Partwarden: % stays a plain table for now (%): the service converts it online after the migration,'
               ' copying it in batches beside the live table and swapping it in within a transaction of under a second',
    partwarden.qualified(old),
    coalesce(nullif(current_setting('partwarden.conversion_reason', true), ''), 'partwarden.migration.conversion');
  RETURN 0;
END $$;
