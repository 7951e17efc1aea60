package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** {@code --dry-run} prints the exact SQL and changes nothing; {@code --verify} lists what is wrong. */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class DryRunAndVerifyTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String PARTITIONS = "SELECT * FROM partwarden.partitions('workflow_events')";

    @BeforeAll
    static void createWorkflowEvents() {
        TestProperties.migrate(database.get());
    }

    @Test
    void dryRunPrintsTheStatementsOfEachActionInOrderAndChangesNothing(CapturedOutput output) {
        List<Map<String, Object>> before = database.get().jdbc().queryForList(PARTITIONS);
        int code = OnceCommandTest.run(database.get(), "--dry-run", "--partwarden.tables[0].name=workflow_events",
                "--partwarden.tables[0].premake=5", "--partwarden.tables[0].retention=1m");

        assertThat(code).isZero();
        assertThat(database.get().jdbc().queryForList(PARTITIONS)).isEqualTo(before);
        String newest = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(5));
        String oldest = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).minusMonths(2));
        assertThat(output.getOut())
                .contains("-- create public." + newest)
                .contains("CREATE TABLE public." + newest + " (LIKE public.workflow_events INCLUDING DEFAULTS")
                .contains("ALTER TABLE public.workflow_events ATTACH PARTITION public." + newest + " FOR VALUES FROM")
                .contains("ALTER TABLE public.workflow_events DETACH PARTITION public." + oldest + " CONCURRENTLY;")
                .contains("DROP TABLE public." + oldest + ";");
        assertThat(output.getOut().indexOf("ATTACH PARTITION public." + newest))
                .isLessThan(output.getOut().indexOf("DETACH PARTITION public." + oldest));
    }

    @Test
    void verifyPassesOnAHealthyDatabaseAndListsEachBrokenInvariant(CapturedOutput output) {
        assertThat(OnceCommandTest.run(database.get(), "--verify", "--partwarden.tables[0].name=workflow_events"))
                .isZero();
        assertThat(output.getOut()).contains("OK: every table meets the spec's invariants");

        String current = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC));
        String last = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(3));
        database.get().execute("""
                DROP TABLE %s;
                ALTER INDEX %s_type_idx RENAME TO renamed_by_hand;""".formatted(last, current));
        int code = OnceCommandTest.run(database.get(), "--verify", "--partwarden.tables[0].name=workflow_events");

        assertThat(code).isEqualTo(1);
        assertThat(output.getOut())
                .contains("PROBLEM public.workflow_events: runway short of 3 month intervals")
                .contains("PROBLEM public.workflow_events: " + current + " lacks index " + current + "_type_idx")
                .contains("\n2 problems\n");
    }

    @Test
    void verifyCountsASingleProblemInTheSingular(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("verify_one")) {
            TestProperties.migrate(db);
            db.execute("DROP TABLE " + MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(3)));

            assertThat(OnceCommandTest.run(db, "--verify")).isEqualTo(1);
        }
        assertThat(output.getOut()).contains("PROBLEM public.workflow_events: runway short of 3 month intervals")
                .contains("\n1 problem\n").doesNotContain("1 problems");
    }
}
