-- The online conversion's state (issue 11): one row per conversion of a plain table into a
-- partitioned one, and the log of the keys its writers changed meanwhile. The conversion's
-- steps live in Java (io.partwarden.conversion), each its own short transaction that moves
-- this row from one committed state to the next, so a crash at any point resumes from here.

CREATE TABLE partwarden.conversion (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_schema name NOT NULL,                 -- the plain table, as named when begun
  source_name name NOT NULL,
  source_oid oid NOT NULL,                     -- the same table through every rename
  source_owner name NOT NULL,                  -- given to the partitioned table at the cut-over
  key_column name NOT NULL,                    -- the partition key (ts)
  id_column name NOT NULL,                     -- the single integer primary key column
  staged_oid oid,                              -- the partitioned table built beside it
  phase text NOT NULL CHECK (phase IN ('preparing', 'staging', 'backfilling', 'catching_up',
                                       'converted', 'finished', 'rolled_back', 'abandoned')),
  backfill_to bigint,                          -- the largest id when the capture began
  copied_through bigint,                       -- ids up to here are copied (same transaction as the rows)
  rows_copied bigint NOT NULL DEFAULT 0,
  rows_estimated bigint,
  saved jsonb NOT NULL DEFAULT '{}',           -- what a swap back needs: names, trigger states, publications
  blocked text,                                -- why it waits for the operator; null otherwise
  last_error text,                             -- the last transient failure, retried
  last_error_at timestamptz,
  cutover_attempts bigint NOT NULL DEFAULT 0,
  first_cutover_attempt_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(),
  cutover_at timestamptz,
  finish_after timestamptz,
  ended_at timestamptz,
  ended_by text CHECK (ended_by IN ('service', 'operator')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (phase IN ('preparing', 'abandoned') OR staged_oid IS NOT NULL),
  CHECK ((backfill_to IS NULL) = (copied_through IS NULL)),
  CHECK ((phase IN ('converted', 'finished', 'rolled_back')) = (cutover_at IS NOT NULL)),
  CHECK ((phase IN ('finished', 'rolled_back', 'abandoned')) = (ended_at IS NOT NULL))
);
COMMENT ON TABLE partwarden.conversion IS
  'Online conversions of plain tables into partitioned ones, one row each, with the phase reached';

-- One conversion under way per table.
CREATE UNIQUE INDEX conversion_under_way ON partwarden.conversion (source_oid)
  WHERE phase NOT IN ('finished', 'rolled_back', 'abandoned');

-- Keys the capture triggers saw change: before the cut-over on the plain table (direction f,
-- replayed into the partitioned one), after it on the partitioned table (r, replayed back into
-- the kept plain table so a rollback loses nothing). No foreign key to conversion: each write
-- would then lock the conversion row the steps hold FOR UPDATE.
CREATE TABLE partwarden.conversion_change (
  conversion_id bigint NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  direction "char" NOT NULL CHECK (direction IN ('f', 'r')),
  kind "char" NOT NULL CHECK (kind IN ('k', 't')),   -- a key's row changed; a TRUNCATE
  id bigint,
  PRIMARY KEY (conversion_id, seq),
  CHECK ((kind = 't') = (id IS NULL))
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
COMMENT ON TABLE partwarden.conversion_change IS
  'Keys changed in a table under online conversion, consumed as they are applied';
