package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two replicas start a pass at the same moment on one database: exactly one acts. */
class TwoInstancesTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @Test
    void exactlyOneOfTwoSimultaneousPassesActsAndTheOtherSkips() throws Exception {
        TestProperties.migrate(database.get());
        database.get().execute("CREATE TABLE samples (at timestamptz NOT NULL) PARTITION BY RANGE (at)");
        Map<String, String> settings = Map.of("tables[0].name", "samples", "tables[0].column", "at",
                "tables[0].interval", "day", "tables[0].premake", "30");
        Engine first = Engine.on(database.get(), settings);
        Engine second = Engine.on(database.get(), settings);
        CyclicBarrier start = new CyclicBarrier(2);

        var one = CompletableFuture.supplyAsync(() -> awaitThen(start, first));
        var two = CompletableFuture.supplyAsync(() -> awaitThen(start, second));
        List<Optional<PassReport>> reports = List.of(one.get(), two.get());

        assertThat(reports).filteredOn(Optional::isPresent).singleElement()
                .satisfies(report -> assertThat(report.orElseThrow().outcomes()).hasSize(31)
                        .allSatisfy(o -> assertThat(o.succeeded()).isTrue()));
        assertThat(first.status().skippedPasses() + second.status().skippedPasses()).isEqualTo(1);
        assertThat(database.get().jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions('samples')", Long.class))
                .isEqualTo(31L);
    }

    private static Optional<PassReport> awaitThen(CyclicBarrier start, Engine engine) {
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return engine.runner().runIfLockFree();
    }
}
