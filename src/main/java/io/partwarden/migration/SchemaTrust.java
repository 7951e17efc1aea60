package io.partwarden.migration;

import io.partwarden.session.SafeSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;

/**
 * Whether Partwarden's schema can be trusted before anything runs from it. Its functions run as
 * the service's role, often a superuser, and its schema is on their search_path: whoever owns the
 * schema, may create in it, or owns an object in it, could replace what the service runs. So the
 * schema, and everything in it, must belong to the service's own role or to a superuser, and no
 * other role may create objects there; otherwise the migration stops before it changes anything.
 */
final class SchemaTrust {

    /** Roles the service already trusts with everything it can do: itself and the superusers. */
    static final String UNTRUSTED = """
            WITH trusted AS (SELECT r.oid FROM pg_catalog.pg_roles r
                              WHERE r.rolsuper OR r.rolname OPERATOR(pg_catalog.=) current_user),
                 schema AS (SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace n
                             WHERE n.nspname OPERATOR(pg_catalog.=) ?)
            SELECT pg_catalog.format('schema %I belongs to role %I', s.nspname, pg_catalog.pg_get_userbyid(s.nspowner))
              FROM schema s WHERE s.nspowner NOT IN (SELECT oid FROM trusted)
            UNION ALL
            SELECT pg_catalog.format('%s may create objects in schema %I',
                       CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                            ELSE pg_catalog.format('role %I', pg_catalog.pg_get_userbyid(a.grantee)) END, s.nspname)
              FROM schema s CROSS JOIN LATERAL pg_catalog.aclexplode(s.nspacl) a
             WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE' AND a.grantee NOT IN (SELECT oid FROM trusted)
            UNION ALL
            SELECT pg_catalog.format('%s %s belongs to role %I', o.kind, o.name, pg_catalog.pg_get_userbyid(o.owner))
              FROM schema s CROSS JOIN LATERAL (
                     SELECT 'function' AS kind, pg_catalog.format('%I.%I(%s)', s.nspname, p.proname,
                                pg_catalog.pg_get_function_identity_arguments(p.oid)) AS name, p.proowner AS owner
                       FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) s.oid
                     UNION ALL
                     SELECT 'operator', pg_catalog.format('%I.%s(%s, %s)', s.nspname, o.oprname,
                                pg_catalog.format_type(o.oprleft, NULL), pg_catalog.format_type(o.oprright, NULL)), o.oprowner
                       FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) s.oid
                     UNION ALL
                     SELECT 'relation', pg_catalog.format('%I.%I', s.nspname, c.relname), c.relowner
                       FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) s.oid
                     UNION ALL
                     -- types of their own: a table's row type and arrays follow their owner's
                     SELECT 'type', pg_catalog.format('%I.%I', s.nspname, t.typname), t.typowner
                       FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) s.oid
                        AND t.typrelid OPERATOR(pg_catalog.=) 0 AND t.typcategory OPERATOR(pg_catalog.<>) 'A') o
             WHERE o.owner NOT IN (SELECT oid FROM trusted)""";
    static final String SCHEMA_EXISTS = """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) ?)""";

    private SchemaTrust() {
    }

    /** @return whether the schema exists (and is trusted); throws, naming each reason, if it exists untrusted */
    static boolean check(DataSource dataSource, String schema) {
        try (Connection connection = dataSource.getConnection()) {
            SafeSession.apply(connection);
            List<String> reasons = new ArrayList<>();
            try (PreparedStatement untrusted = connection.prepareStatement(UNTRUSTED)) {
                untrusted.setString(1, schema);
                try (ResultSet rows = untrusted.executeQuery()) {
                    while (rows.next()) {
                        reasons.add(rows.getString(1));
                    }
                }
            }
            if (!reasons.isEmpty()) {
                throw new FlywayException("refusing to use schema " + schema + ", which another role could change: "
                        + String.join("; ", reasons) + ". Partwarden's functions run as its own role (often a superuser)"
                        + " with this schema on their search_path, so it and everything in it must belong to that role"
                        + " or to a superuser, and no other role may create in it. If the schema is not Partwarden's,"
                        + " drop or rename it; if it is, give it and its objects to the service's role"
                        + " (ALTER SCHEMA " + schema + " OWNER TO …) and REVOKE CREATE ON SCHEMA " + schema + " from the others");
            }
            try (PreparedStatement exists = connection.prepareStatement(SCHEMA_EXISTS)) {
                exists.setString(1, schema);
                try (ResultSet row = exists.executeQuery()) {
                    row.next();
                    return row.getBoolean(1);
                }
            }
        } catch (SQLException e) {
            throw new FlywayException("cannot check schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
