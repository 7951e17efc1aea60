-- What the service keeps for itself: ShedLock's lock table, so that among several replicas
-- one runs each pass, and the state of every retirement, so that one interrupted by a crash or
-- a timeout is finished by the next pass rather than forgotten.

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
  state text NOT NULL CHECK (state IN ('detaching', 'detached', 'dropped')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE partwarden.retirement IS
  'Partitions Partwarden retires: detaching (about to detach), detached (no longer a partition, not yet dropped), dropped';
-- One retirement under way per table name; a later partition of the same name starts a new row.
CREATE UNIQUE INDEX retirement_under_way ON partwarden.retirement (partition_schema, partition_name)
  WHERE state <> 'dropped';

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
