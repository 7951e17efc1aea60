-- What a retirement does with the detached table: drop it (as before), keep it under a name that
-- says it is detached, or move its rows into an archive table. A kept table is recorded so
-- metrics can count it; a retirement under way is unique per table name, kept ones aside.

ALTER TABLE partwarden.retirement DROP CONSTRAINT retirement_state_check;
ALTER TABLE partwarden.retirement ADD CONSTRAINT retirement_state_check
  CHECK (state IN ('detaching', 'detached', 'dropped', 'kept'));
ALTER TABLE partwarden.retirement ADD COLUMN kept_as name;
COMMENT ON TABLE partwarden.retirement IS
  'Partitions Partwarden retires: detaching (about to detach), detached (no longer a partition, not yet disposed of), dropped (dropped, after its rows were archived if so configured), kept (renamed to kept_as and left in place)';
DROP INDEX partwarden.retirement_under_way;
CREATE UNIQUE INDEX retirement_under_way ON partwarden.retirement (partition_schema, partition_name)
  WHERE state IN ('detaching', 'detached');

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
