-- One privilege as a message names it: "SELECT to authenticated", "INSERT to PUBLIC with grant option".
CREATE FUNCTION partwarden.privilege_text(grantee oid, privilege text, grantable boolean) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
  SELECT privilege || ' to ' || partwarden.grantee_sql(grantee) || CASE WHEN grantable THEN ' with grant option' ELSE '' END
$$;

-- What differs between a partition's access and what its parent's gives it, by the rule that
-- partwarden.sync_partition_access (V1) applies: the parent's owner; the parent's grants, except
-- that while the parent has row level security on, only roles its policies cannot restrict
-- (superusers, BYPASSRLS roles) are granted anything; row level security enabled, and forced,
-- wherever the parent has it so. Null when the partition is in line. Read by every pass (which
-- then runs sync_partition_access on the partition) and by --verify, which reports it: a
-- partition keeping the grants it had before the parent's row level security was switched on
-- lets tenants read each other's rows through it.
CREATE FUNCTION partwarden.partition_access_drift(parent regclass, child regclass) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, partwarden, pg_temp
AS $$
  WITH p AS (SELECT relowner, relacl, relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = parent),
       c AS (SELECT relowner, relacl, relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = child),
       wanted AS (
         SELECT a.grantee, a.privilege_type, a.is_grantable
           FROM p, aclexplode(coalesce(p.relacl, acldefault('r', p.relowner))) a
          WHERE a.grantee <> p.relowner
            AND (NOT p.relrowsecurity
                 OR EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = a.grantee AND (r.rolsuper OR r.rolbypassrls)))),
       actual AS (
         SELECT a.grantee, a.privilege_type, a.is_grantable
           FROM c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
          WHERE a.grantee <> c.relowner),
       extra AS (SELECT partwarden.privilege_text(grantee, privilege_type, is_grantable) AS t
                   FROM (SELECT * FROM actual EXCEPT SELECT * FROM wanted) e),
       missing AS (SELECT partwarden.privilege_text(grantee, privilege_type, is_grantable) AS t
                     FROM (SELECT * FROM wanted EXCEPT SELECT * FROM actual) m)
  SELECT nullif(concat_ws('; ',
           CASE WHEN c.relowner <> p.relowner
                THEN format('owner %I, not the parent''s %I', pg_get_userbyid(c.relowner), pg_get_userbyid(p.relowner)) END,
           (SELECT 'privileges the parent''s rule does not give: ' || string_agg(t, ', ' ORDER BY t) FROM extra
            HAVING count(*) > 0),
           (SELECT 'privileges of the parent''s rule missing: ' || string_agg(t, ', ' ORDER BY t) FROM missing
            HAVING count(*) > 0),
           CASE WHEN p.relrowsecurity AND NOT c.relrowsecurity THEN 'row level security off while the parent''s is on' END,
           CASE WHEN p.relforcerowsecurity AND NOT c.relforcerowsecurity
                THEN 'row level security not forced while the parent''s is' END), '')
    FROM p, c
$$;
