package io.partwarden.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh database on the Citus cluster whose coordinator {@code PARTWARDEN_TEST_CITUS_URL} names
 * ({@code jdbc:postgresql://host:port/postgres?user=postgres}): Citus installed in it on every
 * node, the workers added. Without the variable the test is skipped, saying so (Citus is not
 * packaged for the CI machine; README "Scale-out with Citus" says how to build a cluster).
 */
public final class CitusCluster implements AutoCloseable {

    public static final String VARIABLE = "PARTWARDEN_TEST_CITUS_URL";

    private final TestDatabase.Server coordinator;
    private final List<TestDatabase.Server> workers;
    private final TestDatabase database;
    private final String name;

    private CitusCluster(TestDatabase.Server coordinator, List<TestDatabase.Server> workers, String name) {
        this.coordinator = coordinator;
        this.workers = workers;
        this.name = name;
        this.database = TestDatabase.on(coordinator.urlOf(name), coordinator.user(), coordinator.password(), name);
    }

    /** A new database on the cluster, or the test skipped when no cluster is named. */
    public static CitusCluster create(String hint) {
        String url = System.getenv(VARIABLE);
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                VARIABLE + " names no Citus coordinator: the tests that need Citus are skipped");
        TestDatabase.Server coordinator = TestDatabase.Server.fromUrl(url);
        String name = TestDatabase.newName("citus_" + hint);
        List<TestDatabase.Server> workers = new ArrayList<>();
        for (String node : strings(coordinator, "SELECT node_name || ':' || node_port FROM citus_get_active_worker_nodes()"
                + " ORDER BY 1")) {
            workers.add(new TestDatabase.Server("jdbc:postgresql://" + node + "/postgres", coordinator.user(), coordinator.password()));
        }
        coordinator.execute("CREATE DATABASE " + name);
        for (TestDatabase.Server worker : workers) {
            worker.execute("CREATE DATABASE " + name);
            new TestDatabase.Server(worker.urlOf(name), worker.user(), worker.password()).execute("CREATE EXTENSION citus");
        }
        CitusCluster cluster = new CitusCluster(coordinator, workers, name);
        String host = coordinator.baseUrl().replaceFirst("^jdbc:postgresql://([^:/]+):(\\d+)/.*$", "$1");
        String port = coordinator.baseUrl().replaceFirst("^jdbc:postgresql://([^:/]+):(\\d+)/.*$", "$2");
        cluster.database.execute("CREATE EXTENSION citus");
        cluster.database.execute("SELECT citus_set_coordinator_host('" + host + "', " + port + ")");
        for (TestDatabase.Server worker : workers) {
            String[] node = worker.baseUrl().replaceFirst("^jdbc:postgresql://", "").replaceFirst("/.*$", "").split(":");
            cluster.database.execute("SELECT citus_add_node('" + node[0] + "', " + node[1] + ")");
        }
        return cluster;
    }

    public TestDatabase database() {
        return database;
    }

    public int workerCount() {
        return workers.size();
    }

    @Override
    public void close() {
        coordinator.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        for (TestDatabase.Server worker : workers) {
            worker.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    static List<String> strings(TestDatabase.Server server, String sql) {
        try (Connection c = DriverManager.getConnection(server.baseUrl(), server.user(), server.password());
             Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
