-- Hardening after a hostile review.
--
-- 1. Every function Partwarden installs runs with a fixed search_path: pg_catalog first, its own
--    schema, pg_temp last. Without it, a role with CREATE on a schema in the caller's path (public)
--    could define, say, public.=(oid, regclass), an exact match that PostgreSQL prefers to
--    pg_catalog's =(oid, oid), and have the superuser run it (the CVE-2018-1058 class).
-- 2. A retirement records the relation it began on (oid and columns) and resumes only on it; one
--    whose table is gone is closed as such ('gone') instead of staying under way for ever.
-- 3. Tables that hold retired rows (the archive table, a --restore-into table) get the access a
--    partition gets, not the default privileges of whoever created them.
-- 4. A partition is detached only if it can then be disposed of: same owner as its parent.

-- The migration's own statements resolve nothing through a path another role can write.
SET LOCAL search_path = pg_catalog, partwarden, pg_temp;

-- 2. Which relation a retirement began on (its columns: V4).
CREATE FUNCTION partwarden.column_signature(tbl regclass) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, partwarden, pg_temp AS $$
  SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
    FROM pg_attribute a
   WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- Null when the relation now named as the retirement records is the one it began on; otherwise
-- why the retirement must not touch it.
CREATE FUNCTION partwarden.retirement_target_problem(retirement_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, partwarden, pg_temp AS $$
DECLARE
  r partwarden.retirement;
  label text;
  current_oid oid;
  attached record;
BEGIN
  SELECT * INTO r FROM partwarden.retirement WHERE id = retirement_id;
  IF NOT FOUND THEN
    RETURN format('retirement %s is not recorded', retirement_id);
  END IF;
  label := format('%I.%I', r.partition_schema, r.partition_name);
  current_oid := to_regclass(label);
  IF current_oid IS NULL THEN
    RETURN format('%s, which retirement %s began on, no longer exists', label, retirement_id);
  END IF;
  IF r.partition_oid IS NULL THEN
    RETURN format('retirement %s of %s was recorded before Partwarden noted which table it began on, so %s may be'
                  ' another table given that name since; it is left alone. If it is the partition detached then, run'
                  ' UPDATE partwarden.retirement SET partition_oid = %L::regclass, partition_columns ='
                  ' partwarden.column_signature(%L::regclass) WHERE id = %s; if not, UPDATE partwarden.retirement SET'
                  ' state = ''gone'' WHERE id = %s',
                  retirement_id, label, label, label, label, retirement_id, retirement_id);
  END IF;
  IF current_oid <> r.partition_oid THEN
    RETURN format('%s is not the table retirement %s began on (that was oid %s, this is oid %s): another table took'
                  ' the name; it is left alone', label, retirement_id, r.partition_oid, current_oid);
  END IF;
  IF partwarden.column_signature(current_oid) IS DISTINCT FROM r.partition_columns THEN
    RETURN format('%s has columns (%s) since retirement %s began on it with (%s); it is left alone', label,
                  partwarden.column_signature(current_oid), retirement_id, r.partition_columns);
  END IF;
  SELECT p.lower_bound, p.upper_bound INTO attached
    FROM pg_inherits i CROSS JOIN LATERAL partwarden.partitions(i.inhparent) p
   WHERE i.inhrelid = current_oid AND p.partition = current_oid::regclass;
  IF FOUND AND (attached.lower_bound IS DISTINCT FROM r.lower_bound OR attached.upper_bound IS DISTINCT FROM r.upper_bound) THEN
    RETURN format('%s holds [%s, %s) now, not the [%s, %s) retirement %s began on; it is left alone', label,
                  attached.lower_bound, attached.upper_bound, r.lower_bound, r.upper_bound, retirement_id);
  END IF;
  RETURN NULL;
END $$;

-- 4. What would make a retirement fail after the detach, checked before it: then the partition
-- stays attached and its rows readable. Null when nothing stands in the way.
CREATE FUNCTION partwarden.retirement_blocker(parent regclass, child regclass) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, partwarden, pg_temp AS $$
  SELECT CASE
           WHEN c.relowner <> p.relowner THEN
             format('%s belongs to role %I, not to %I, the owner of %s: once detached it could not be dropped by'
                    ' the role that owns the table; give it the parent''s owner (ALTER TABLE %s OWNER TO %I)',
                    partwarden.qualified(child), pg_get_userbyid(c.relowner), pg_get_userbyid(p.relowner),
                    partwarden.qualified(parent), partwarden.qualified(child), pg_get_userbyid(p.relowner))
           WHEN NOT pg_has_role(current_user, c.relowner, 'USAGE') THEN
             format('role %I may not drop %s (it belongs to %I): connect as that role or a member of it',
                    current_user, partwarden.qualified(child), pg_get_userbyid(c.relowner))
         END
    FROM pg_class p, pg_class c
   WHERE p.oid = parent AND c.oid = child
$$;

-- 3. A table that holds retired rows gets a partition's access: the parent's owner and grants,
-- and where the parent has row level security on, row level security on (no policy: nobody but
-- its owner, superusers and BYPASSRLS roles reads it) and no grant to roles the policies restrict.
-- Without a parent (a restore into a table whose archive's parent is gone): its owner alone.
CREATE FUNCTION partwarden.protect_retired_rows(parent regclass, tbl regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, partwarden, pg_temp AS $$
DECLARE
  grantee_role record;
BEGIN
  IF parent IS NOT NULL THEN
    PERFORM partwarden.sync_partition_access(parent, tbl);
    RETURN;
  END IF;
  FOR grantee_role IN
    SELECT DISTINCT a.grantee FROM pg_class k, aclexplode(k.relacl) a
     WHERE k.oid = tbl AND a.grantee <> k.relowner
  LOOP
    EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', tbl, partwarden.grantee_sql(grantee_role.grantee));
  END LOOP;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
END $$;

CREATE OR REPLACE FUNCTION partwarden.archive_table_ddl(parent regclass, partition_schema text, partition_name text,
                                                        archive_schema text, archive_name text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, partwarden, pg_temp AS $$
DECLARE
  columns text;
BEGIN
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_attribute a
   WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
  RETURN NEXT format('CREATE TABLE IF NOT EXISTS %I.%I (LIKE %s INCLUDING ALL)', archive_schema, archive_name,
                     partwarden.qualified(parent));
  -- before any row arrives, and again each time: default privileges of whoever created it, or a
  -- later GRANT ON ALL TABLES, must not open the archived rows to roles the policies restrict
  RETURN NEXT format('SELECT partwarden.protect_retired_rows(%L, %L)', partwarden.qualified(parent),
                     format('%I.%I', archive_schema, archive_name));
  RETURN NEXT format('INSERT INTO %I.%I (%s) SELECT %s FROM %I.%I', archive_schema, archive_name, columns, columns,
                     partition_schema, partition_name);
END $$;

-- 1. A fixed search_path for every function in schema partwarden, and for the spec's SQL API in
-- the events schema. get_workflow_run_events stays without one: a SET clause would stop the
-- planner inlining it (and pruning partitions); it is recreated below with a body parsed once,
-- now, under this migration's path (BEGIN ATOMIC), so nothing in it is looked up at call time.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'partwarden'::regnamespace
        OR p.oid IN (to_regprocedure(format('%I.create_workflow_events_partition(date)', '${events_schema}')),
                     to_regprocedure(format('%I.create_workflow_events_partition(timestamptz)', '${events_schema}')),
                     to_regprocedure(format('%I.maintain_workflow_events_partitions()', '${events_schema}')),
                     to_regprocedure(format('%I.drop_old_workflow_events_partitions(int)', '${events_schema}')),
                     to_regprocedure(format('%I.get_workflow_events_partition_stats()', '${events_schema}')))
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, partwarden, pg_temp', f);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION "${events_schema}".get_workflow_run_events(
  p_run_id uuid,
  p_start_ts timestamptz DEFAULT NULL,
  p_end_ts timestamptz DEFAULT NULL)
RETURNS TABLE (id bigint, run_id uuid, ts timestamptz, type text, payload jsonb, created_at timestamptz)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT e.id, e.run_id, e.ts, e.type, e.payload, e.created_at
    FROM "${events_schema}".workflow_events e
   WHERE e.run_id = p_run_id
     AND (p_start_ts IS NULL OR e.ts >= p_start_ts)
     AND (p_end_ts IS NULL OR e.ts <= p_end_ts)
   ORDER BY e.ts, e.id;
END;

-- A view's operators are bound when it is created, under the path of that session: made again
-- here, under this migration's path, it cannot hold an operator another role slipped in before.
CREATE OR REPLACE VIEW "${events_schema}".workflow_events_partition_info AS
SELECT p.schema_name AS schemaname,
       p.partition_name,
       pg_size_pretty(pg_total_relation_size(p.partition)) AS size,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint
            ELSE partwarden.exact_row_count(p.partition) END AS row_count_estimate
  FROM partwarden.partitions(to_regclass(format('%I.workflow_events', '${events_schema}'))) p
  JOIN pg_class c ON c.oid = p.partition
 ORDER BY p.partition_name;
