-- Partwarden's own functions: the one DDL path that the spec's SQL API, the conversion and the
-- Java service all use to read and make partitions. Everything lives in schema "partwarden" and
-- every name is qualified, so the session's search_path never matters.

-- A table's name with its schema, quoted where needed, whatever the search_path: for messages.
CREATE FUNCTION partwarden.qualified(tbl regclass) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT format('%I.%I', n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl
$$;

-- The partition key of a table partitioned by range on one timestamptz column.
-- Anything else is refused with a message naming what was found.
CREATE FUNCTION partwarden.range_key_column(parent regclass) RETURNS name
LANGUAGE plpgsql STABLE AS $$
DECLARE
  strategy "char";
  key_columns int2vector;
  key_type regtype;
  key_name name;
BEGIN
  SELECT pt.partstrat, pt.partattrs INTO strategy, key_columns
    FROM pg_partitioned_table pt WHERE pt.partrelid = parent;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'table % is not partitioned', parent
      USING HINT = 'Partwarden manages tables declared with PARTITION BY RANGE (a timestamptz column)';
  END IF;
  IF strategy <> 'r' OR array_length(key_columns::int2[], 1) <> 1 OR key_columns[0] = 0 THEN
    RAISE EXCEPTION 'table % is partitioned by %, not by range on one column', parent,
      pg_get_partkeydef(parent)
      USING HINT = 'Partwarden manages tables declared with PARTITION BY RANGE (a timestamptz column)';
  END IF;
  SELECT a.attname, a.atttypid::regtype INTO key_name, key_type
    FROM pg_attribute a WHERE a.attrelid = parent AND a.attnum = key_columns[0];
  IF key_type <> 'timestamptz'::regtype THEN
    RAISE EXCEPTION 'partition key %.% is of type %, not timestamptz', parent, key_name, key_type;
  END IF;
  RETURN key_name;
END $$;

-- Turns one side of a range bound as pg_get_expr prints it ('2025-01-01 00:00:00+00',
-- MINVALUE or MAXVALUE) back into a value. pg_get_expr prints in the session's TimeZone and
-- the cast reads in the same one, so the instant is exact whatever the zone.
CREATE FUNCTION partwarden.bound_value(printed text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT CASE printed
           WHEN 'MINVALUE' THEN '-infinity'::timestamptz
           WHEN 'MAXVALUE' THEN 'infinity'::timestamptz
           ELSE substr(printed, 2, length(printed) - 2)::timestamptz
         END
$$;

-- Every partition of a parent with its bounds, in one catalog query. A default partition has
-- null bounds. detach_pending reads pg_inherits.inhdetachpending (PostgreSQL 14+) through
-- to_jsonb so that this function also installs where the column does not exist.
CREATE FUNCTION partwarden.partitions(parent regclass)
RETURNS TABLE (partition regclass, schema_name name, partition_name name,
               lower_bound timestamptz, upper_bound timestamptz,
               is_default boolean, detach_pending boolean)
LANGUAGE sql STABLE AS $$
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

-- The name a partition's copy of a parent object gets: the partition's name, then what is
-- left of the parent object's name once "idx_", the parent's name and "_idx" are taken off.
-- idx_workflow_events_run_ts on workflow_events gives workflow_events_y2025m01_run_ts_idx,
-- the names the spec gives. Too long a name is refused rather than silently truncated.
CREATE FUNCTION partwarden.partition_object_name(partition_name text, parent_name text,
                                                 parent_object text, suffix text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  stem text := parent_object;
  result text;
BEGIN
  stem := regexp_replace(stem, '^idx_', '');
  IF left(stem, length(parent_name) + 1) = parent_name || '_' THEN
    stem := substr(stem, length(parent_name) + 2);
  END IF;
  stem := regexp_replace(stem, '_(idx|key|pkey)$', '');
  result := partition_name || '_' || stem || suffix;
  IF octet_length(result) > 63 THEN
    RAISE EXCEPTION 'name % for the copy of % on partition % is longer than 63 bytes',
      result, parent_object, partition_name
      USING HINT = 'rename the parent''s index or constraint to something shorter';
  END IF;
  RETURN result;
END $$;

-- Makes a partition's access match its parent: the parent's owner, and the parent's grants.
-- Row level security guards only the table named in a query, so when the parent has it on,
-- a role its policies restrict must not reach the rows through the partition: such roles get
-- no grant here, and the partition gets row level security on (with no policy, which denies
-- everything) as a second wall against a later GRANT ... ON ALL TABLES IN SCHEMA.
-- Changes nothing when access already matches.
CREATE FUNCTION partwarden.sync_partition_access(parent regclass, child regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  p record;
  c record;
  grantee_role record;
  wanted text[];
  actual text[];
BEGIN
  SELECT relowner, relacl, relrowsecurity, relforcerowsecurity INTO p FROM pg_class WHERE oid = parent;
  SELECT relowner INTO c FROM pg_class WHERE oid = child;
  IF c.relowner <> p.relowner THEN
    EXECUTE format('ALTER TABLE %s OWNER TO %I', child, pg_get_userbyid(p.relowner));
  END IF;

  SELECT coalesce(array_agg(g ORDER BY g), '{}') INTO wanted
    FROM (SELECT format('%s:%s:%s', a.grantee, a.privilege_type, a.is_grantable) AS g
            FROM aclexplode(coalesce(p.relacl, acldefault('r', p.relowner))) a
           WHERE a.grantee <> p.relowner
             AND (NOT p.relrowsecurity
                  OR EXISTS (SELECT 1 FROM pg_roles r
                              WHERE r.oid = a.grantee AND (r.rolsuper OR r.rolbypassrls)))) w;
  SELECT coalesce(array_agg(g ORDER BY g), '{}') INTO actual
    FROM (SELECT format('%s:%s:%s', a.grantee, a.privilege_type, a.is_grantable) AS g
            FROM pg_class k, aclexplode(coalesce(k.relacl, acldefault('r', k.relowner))) a
           WHERE k.oid = child AND a.grantee <> k.relowner) w;

  IF wanted IS DISTINCT FROM actual THEN
    FOR grantee_role IN
      SELECT DISTINCT a.grantee
        FROM pg_class k, aclexplode(coalesce(k.relacl, acldefault('r', k.relowner))) a
       WHERE k.oid = child AND a.grantee <> k.relowner
    LOOP
      EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', child, partwarden.grantee_sql(grantee_role.grantee));
    END LOOP;
    FOR grantee_role IN
      SELECT split_part(w, ':', 1)::oid AS grantee, split_part(w, ':', 2) AS privilege,
             split_part(w, ':', 3)::boolean AS grantable
        FROM unnest(wanted) w
    LOOP
      EXECUTE format('GRANT %s ON TABLE %s TO %s%s', grantee_role.privilege, child,
                     partwarden.grantee_sql(grantee_role.grantee),
                     CASE WHEN grantee_role.grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
  END IF;

  -- Only ever tightened: a partition's own row security is never switched off here.
  IF p.relrowsecurity AND NOT (SELECT relrowsecurity FROM pg_class WHERE oid = child) THEN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', child);
  END IF;
  IF p.relforcerowsecurity AND NOT (SELECT relforcerowsecurity FROM pg_class WHERE oid = child) THEN
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', child);
  END IF;
END $$;

CREATE FUNCTION partwarden.grantee_sql(grantee oid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(grantee)) END
$$;

-- The statements that make one partition without stalling writers of the parent: a standalone
-- table shaped like the parent, with copies of the parent's keys and indexes under the
-- partition's names, a CHECK matching the bounds (so ATTACH need not scan), the parent's owner
-- and grants, then ATTACH PARTITION (SHARE UPDATE EXCLUSIVE on the parent, which inserts do
-- not wait for), then the now redundant CHECK is dropped. Run in one transaction they are
-- atomic. Returned, not run, so that a dry run prints exactly what create_partition executes.
CREATE FUNCTION partwarden.partition_ddl(parent regclass, partition_name text,
                                         lower_bound timestamptz, upper_bound timestamptz)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
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

-- Makes one partition, atomically, or confirms it is there; null bounds make the default
-- partition. Idempotent: a partition of that name with exactly these bounds is left alone. A name taken by anything else, or a range that
-- overlaps another partition, is refused with a message naming the other one.
CREATE FUNCTION partwarden.create_partition(parent regclass, partition_name text,
                                            lower_bound timestamptz, upper_bound timestamptz)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  existing record;
  parent_schema name := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent);
  statement text;
BEGIN
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

-- Monthly partitions follow the spec: named {table}_yYYYYmMM, bounded at the first of the
-- month, 00:00 UTC, whatever the session's TimeZone or the hour the job runs.
CREATE FUNCTION partwarden.month_start(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;

CREATE FUNCTION partwarden.create_month_partition(parent regclass, month_start timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  lower_bound timestamptz := partwarden.month_start(month_start);
BEGIN
  RETURN partwarden.create_partition(
    parent,
    (SELECT relname FROM pg_class WHERE oid = parent) || to_char(lower_bound AT TIME ZONE 'UTC', '"_y"YYYY"m"MM'),
    lower_bound,
    (lower_bound AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
END $$;

-- Takes table locks, each attempt bounded by lock_timeout, retried with a growing pause, so
-- that waiting for a long transaction never queues the application behind this session for
-- longer than the timeout. The timeout stays set for the rest of the transaction, so later
-- statements cannot stall either. Keep it below deadlock_timeout: then, in a lock cycle with a
-- writer, this session is the one that gives way.
CREATE FUNCTION partwarden.lock_with_retry(lock_statements text[], timeout text, attempts int)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  attempt int := 1;
  statement text;
BEGIN
  PERFORM set_config('lock_timeout', timeout, true);
  LOOP
    BEGIN
      FOREACH statement IN ARRAY lock_statements LOOP
        EXECUTE statement;
      END LOOP;
      RETURN;
    EXCEPTION WHEN lock_not_available THEN
      IF attempt >= attempts THEN
        RAISE EXCEPTION 'could not take the locks within % after % attempts: %', timeout, attempts,
          array_to_string(lock_statements, '; ')
          USING ERRCODE = 'lock_not_available',
                HINT = 'a long transaction holds the table; nothing was changed, run again later';
      END IF;
      PERFORM pg_sleep(least(0.1 * 2 ^ (attempt - 1), 5));
      attempt := attempt + 1;
    END;
  END LOOP;
END $$;
