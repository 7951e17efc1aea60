-- on-retire: archive. A retired partition is streamed into a compressed file with a manifest
-- beside it; the retirement records each step, so a crash anywhere is resumed, never repeated
-- into a second file, and a table is dropped only once its archive has been read back and found
-- whole: detaching -> detached -> archived (file and manifest in place) -> verified -> dropped.

ALTER TABLE partwarden.retirement DROP CONSTRAINT retirement_state_check;
ALTER TABLE partwarden.retirement ADD CONSTRAINT retirement_state_check
  CHECK (state IN ('detaching', 'detached', 'archived', 'verified', 'dropped', 'kept'));
ALTER TABLE partwarden.retirement
  ADD COLUMN archive_manifest text,
  ADD COLUMN archive_rows bigint,
  ADD COLUMN archive_sha256 text,
  ADD CONSTRAINT retirement_archive_recorded
    CHECK (state NOT IN ('archived', 'verified') OR (archive_manifest IS NOT NULL AND archive_rows IS NOT NULL
                                                      AND archive_sha256 IS NOT NULL));
COMMENT ON TABLE partwarden.retirement IS
  'Partitions Partwarden retires: detaching (about to detach), detached (no longer a partition, not yet disposed of), archived (its rows are in the file archive_manifest describes), verified (that file was read back: rows and SHA-256 match), dropped (dropped, after its rows were archived if so configured), kept (renamed to kept_as and left in place)';
COMMENT ON COLUMN partwarden.retirement.archive_manifest IS 'on-retire: archive: the manifest of the archive file, as the service wrote it';
DROP INDEX partwarden.retirement_under_way;
CREATE UNIQUE INDEX retirement_under_way ON partwarden.retirement (partition_schema, partition_name)
  WHERE state IN ('detaching', 'detached', 'archived', 'verified');

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
