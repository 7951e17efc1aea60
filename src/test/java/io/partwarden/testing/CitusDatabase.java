package io.partwarden.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own database on the Citus cluster ({@link CitusCluster}), made before its
 * {@code @BeforeAll} methods run and dropped on every node after its last test. Register it as
 * {@code @RegisterExtension static final CitusDatabase citus = CitusDatabase.perClass("hint");}.
 */
public final class CitusDatabase implements BeforeAllCallback, AfterAllCallback {

    private final String hint;
    private CitusCluster cluster;

    private CitusDatabase(String hint) {
        this.hint = hint;
    }

    public static CitusDatabase perClass(String hint) {
        return new CitusDatabase(hint);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = CitusCluster.create(hint);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    public TestDatabase get() {
        return cluster.database();
    }

    public int workerCount() {
        return cluster.workerCount();
    }
}
