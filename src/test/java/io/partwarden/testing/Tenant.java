package io.partwarden.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A MeshHook tenant: role {@code authenticated} with auth.uid() answering its user id. */
public record Tenant(String userId, String projectId) {

    public static final Tenant ONE = new Tenant("10000000-0000-0000-0000-000000000001", "a0000000-0000-0000-0000-000000000001");
    public static final Tenant TWO = new Tenant("10000000-0000-0000-0000-000000000002", "a0000000-0000-0000-0000-000000000002");

    /** The ids this tenant's query returns, run as the tenant. */
    public List<Long> ids(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                s.execute("SET LOCAL ROLE authenticated");
            }
            try (PreparedStatement claim = c.prepareStatement("SELECT set_config('request.jwt.claim.sub', ?, true)")) {
                claim.setString(1, userId);
                claim.execute();
            }
            List<Long> ids = new ArrayList<>();
            try (var s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            } finally {
                c.rollback();
            }
            return ids;
        }
    }
}
