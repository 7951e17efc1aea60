-- What the service keeps for itself: ShedLock's lock table, so that among several replicas
-- one runs each pass, and the state of every retirement, so that one interrupted by a crash or
-- a timeout is finished by the next pass rather than forgotten. A retirement detaches the
-- partition, then drops it, keeps it renamed, moves its rows into an archive table, or streams it
-- into a compressed file with a manifest beside it (on-retire). Each step is recorded before the
-- next, so a crash anywhere is resumed, never repeated into a second file, and a table is dropped
-- only once its archive has been read back and found whole:
-- detaching -> detached [-> archived (file and manifest in place) -> verified] -> dropped | kept;
-- gone when the table it began on was dropped or replaced by someone else.
-- (Squashed before the first release from three migrations that redefined the states in turn.)

-- timestamp, not timestamptz: with usingDbTime() ShedLock writes timezone('utc', CURRENT_TIMESTAMP).
CREATE TABLE partwarden.shedlock (
  name varchar(64) PRIMARY KEY,
  lock_until timestamp NOT NULL,
  locked_at timestamp NOT NULL,
  locked_by varchar(255) NOT NULL
);

CREATE TABLE partwarden.retirement (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_schema name NOT NULL,
  parent_name name NOT NULL,
  partition_schema name NOT NULL,
  partition_name name NOT NULL,
  lower_bound timestamptz NOT NULL,
  upper_bound timestamptz NOT NULL,
  state text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  kept_as name,
  archive_manifest text,
  archive_rows bigint,
  archive_sha256 text,
  partition_oid oid,
  partition_columns text,
  -- catalog/RetirementState spells the same list (RetirementStateTest compares them)
  CONSTRAINT retirement_state_check
    CHECK (state IN ('detaching', 'detached', 'archived', 'verified', 'dropped', 'kept', 'gone')),
  CONSTRAINT retirement_archive_recorded
    CHECK (state NOT IN ('archived', 'verified') OR (archive_manifest IS NOT NULL AND archive_rows IS NOT NULL
                                                      AND archive_sha256 IS NOT NULL))
);
COMMENT ON TABLE partwarden.retirement IS
  'Partitions Partwarden retires: detaching (about to detach), detached (no longer a partition, not yet disposed of), archived (its rows are in the file archive_manifest describes), verified (that file was read back: rows and SHA-256 match), dropped (dropped, after its rows were archived if so configured), kept (renamed to kept_as and left in place), gone (the table it began on was dropped or replaced by someone else; closed, nothing done to any table)';
COMMENT ON COLUMN partwarden.retirement.archive_manifest IS 'on-retire: archive: the manifest of the archive file, as the service wrote it';
COMMENT ON COLUMN partwarden.retirement.partition_oid IS
  'the relation the retirement began on: it resumes only on this one, never on another table given the same name';
COMMENT ON COLUMN partwarden.retirement.partition_columns IS
  'its columns and types when the retirement began (partwarden.column_signature)';
-- One retirement under way per table name; a later partition of the same name starts a new row.
CREATE UNIQUE INDEX retirement_under_way ON partwarden.retirement (partition_schema, partition_name)
  WHERE state IN ('detaching', 'detached', 'archived', 'verified');

-- The statements of a retirement, quoted by PostgreSQL itself. DETACH ... CONCURRENTLY cannot
-- run inside a function or a transaction block, so the service runs these one by one.
CREATE FUNCTION partwarden.detach_ddl(parent regclass, partition_schema text, partition_name text, how text)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF how IS NULL OR how NOT IN ('concurrently', 'plain', 'finalize') THEN
    RAISE EXCEPTION 'detach must be concurrently, plain or finalize, not %', how;
  END IF;
  RETURN format('ALTER TABLE %s DETACH PARTITION %I.%I%s', partwarden.qualified(parent), partition_schema,
                partition_name, CASE how WHEN 'concurrently' THEN ' CONCURRENTLY' WHEN 'finalize' THEN ' FINALIZE' ELSE '' END);
END $$;

CREATE FUNCTION partwarden.drop_ddl(partition_schema text, partition_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format('DROP TABLE %I.%I', partition_schema, partition_name)
$$;

-- The name a kept table gets: its own with _detached, shortened to fit 63 bytes.
CREATE FUNCTION partwarden.kept_name(partition_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT left(partition_name, 63 - length('_detached')) || '_detached'
$$;

CREATE FUNCTION partwarden.keep_ddl(partition_schema text, partition_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format('ALTER TABLE %I.%I RENAME TO %I', partition_schema, partition_name, partwarden.kept_name(partition_name))
$$;

-- Moves a detached table's rows into the archive table (made like the parent, indexes included,
-- if it does not exist yet), listing columns by name so column order cannot matter. The caller
-- runs these, checks the number of rows moved and drops the table, all in one transaction.
CREATE FUNCTION partwarden.archive_table_ddl(parent regclass, partition_schema text, partition_name text,
                                             archive_schema text, archive_name text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  columns text;
BEGIN
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_attribute a
   WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
  RETURN NEXT format('CREATE TABLE IF NOT EXISTS %I.%I (LIKE %s INCLUDING ALL)', archive_schema, archive_name,
                     partwarden.qualified(parent));
  RETURN NEXT format('INSERT INTO %I.%I (%s) SELECT %s FROM %I.%I', archive_schema, archive_name, columns, columns,
                     partition_schema, partition_name);
END $$;

-- The columns an archive holds, in table order, with their types as SQL spells them. Generated
-- columns are left out: COPY FROM cannot load them, PostgreSQL computes them again.
CREATE FUNCTION partwarden.archive_columns(tbl regclass)
RETURNS TABLE (column_name name, column_type text)
LANGUAGE sql STABLE AS $$
  SELECT a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a
   WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
   ORDER BY a.attnum
$$;

-- COPY of a table's archived columns, out to the client or in from it.
CREATE FUNCTION partwarden.copy_ddl(table_schema text, table_name text, columns text[], direction text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF direction IS NULL OR direction NOT IN ('out', 'in') THEN
    RAISE EXCEPTION 'copy direction must be out or in, not %', direction;
  END IF;
  RETURN format('COPY %I.%I (%s) %s', table_schema, table_name,
                (SELECT string_agg(quote_ident(c), ', ' ORDER BY n) FROM unnest(columns) WITH ORDINALITY AS u(c, n)),
                CASE direction WHEN 'out' THEN 'TO STDOUT' ELSE 'FROM STDIN' END);
END $$;

-- A table to restore an archive into when its range is taken: its columns as the manifest lists them.
CREATE FUNCTION partwarden.restore_table_ddl(table_schema text, table_name text, columns text[], types text[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF coalesce(array_length(columns, 1), 0) = 0 OR array_length(columns, 1) <> array_length(types, 1) THEN
    RAISE EXCEPTION 'restore table %.% needs as many column types as columns, and at least one', table_schema, table_name;
  END IF;
  -- types come from a manifest file: each must name a type, nothing more, before it reaches SQL
  IF EXISTS (SELECT 1 FROM unnest(types) t WHERE t ~ '--|/\*|;|[\n\r]' OR to_regtype(t) IS NULL) THEN
    RAISE EXCEPTION 'restore table %.%: % is not a type of this database', table_schema, table_name,
      (SELECT t FROM unnest(types) t WHERE t ~ '--|/\*|;|[\n\r]' OR to_regtype(t) IS NULL LIMIT 1);
  END IF;
  RETURN format('CREATE TABLE %I.%I (%s)', table_schema, table_name,
                (SELECT string_agg(format('%I %s', c, t), ', ' ORDER BY n)
                   FROM unnest(columns, types) WITH ORDINALITY AS u(c, t, n)));
END $$;

-- While a detached table is archived and until it is dropped, no row may be added or changed:
-- a CHECK (false) that is NOT VALID leaves the rows there alone and refuses every new or
-- updated one (a DELETE is caught by the row count before the drop). Null when in place.
CREATE FUNCTION partwarden.archive_guard_ddl(table_schema text, table_name text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT partwarden_archiving CHECK (false) NOT VALID', table_schema, table_name)
   WHERE NOT EXISTS (SELECT 1 FROM pg_constraint
                      WHERE conrelid = format('%I.%I', table_schema, table_name)::regclass AND conname = 'partwarden_archiving')
$$;

CREATE FUNCTION partwarden.lock_ddl(table_schema text, table_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format('LOCK TABLE %I.%I IN ACCESS EXCLUSIVE MODE', table_schema, table_name)
$$;

-- The states of a retirement still under way, which the next pass resumes: the one list every
-- query asks (the unique index above spells them out, as an index predicate must).
CREATE FUNCTION partwarden.is_under_way(state text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT state IN ('detaching', 'detached', 'archived', 'verified')
$$;
