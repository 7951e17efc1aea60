package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.Commands;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.OldMonths;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A retirement acts only on the very relation it began on. Its partition dropped by someone else
 * and a new table given the same name later (a restore from backup) is never touched: the
 * retirement is closed as {@code gone}, no longer under way. A table that is the same relation
 * but changed, or one a retirement recorded before oids were, is left alone with the reason.
 */
@VersionSensitive
class RetirementIdentityTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    @BeforeAll
    static void migrate() {
        TestProperties.migrate(database.get());
    }

    static void table(String name) {
        OldMonths.create(database.get(), name);
    }

    /** What a pass records as a retirement begins, left in {@code state} by a pass that died. */
    static void retirementLeft(String table, String partition, String state) {
        jdbc().update("""
                INSERT INTO partwarden.retirement (parent_schema, parent_name, partition_schema, partition_name, lower_bound, upper_bound,
                                                   state, partition_oid, partition_columns)
                SELECT 'public', ?, 'public', p.partition_name, p.lower_bound, p.upper_bound, ?, p.partition,
                       partwarden.column_signature(p.partition)
                  FROM partwarden.partitions(?::regclass) p WHERE p.partition_name = ?""", table, state, table, partition);
    }

    /** The user drops the partition, and later a restore from backup brings a plain table of that name with 1,000 rows. */
    static void droppedAndReplacedByAPlainTable(String table, String partition) {
        database.get().execute("""
                DROP TABLE %2$s;
                CREATE TABLE %2$s (LIKE %1$s);
                INSERT INTO %2$s SELECT g, '2024-01-01'::timestamptz + make_interval(mins => g), 'restored' FROM generate_series(1, 1000) g;
                """.formatted(table, partition));
    }

    static PassReport pass(String table) {
        return Engine.on(database.get(), Map.of("tables[0].name", table, "tables[0].column", "at", "tables[0].premake", "1",
                "tables[0].retention", "12m", "lock.at-least-for", "0s")).runner().runIfLockFree().orElseThrow();
    }

    static long rows(String table) {
        return jdbc().queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    static String state(String partition) {
        return jdbc().queryForObject("SELECT string_agg(state, ',' ORDER BY id) FROM partwarden.retirement WHERE partition_name = ?",
                String.class, partition);
    }

    @Test
    void aTableThatTookTheNameOfADroppedPartitionLeftDetachingIsNotDroppedAndTheRetirementIsClosed() {
        table("left_detaching");
        retirementLeft("left_detaching", "left_detaching_y2024m01", "detaching");
        droppedAndReplacedByAPlainTable("left_detaching", "left_detaching_y2024m01");
        assertThat(Commands.run(database.get(), "--verify", "--partwarden.tables[0].name=left_detaching",
                "--partwarden.tables[0].column=at", "--partwarden.tables[0].premake=0")).as("--verify names it").isEqualTo(1);

        PassReport report = pass("left_detaching");

        assertThat(rows("left_detaching_y2024m01")).isEqualTo(1000);
        assertThat(state("left_detaching_y2024m01")).isEqualTo("gone");
        assertThat(report.outcomes()).anySatisfy(o -> assertThat(o.action()).contains("close retirement", "no table is touched"));
        assertThat(report.converged()).isTrue();
        assertThat(state("left_detaching_y2024m02")).as("the other partition retires as usual").isEqualTo("dropped");
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE parent_name = 'left_detaching' AND partwarden.is_under_way(state)", Long.class))
                .as("nothing stays under way, so no alert and nothing for --verify").isZero();
    }

    @Test
    void aTableThatTookTheNameOfADroppedDetachedTableIsNotDropped() {
        table("left_detached");
        retirementLeft("left_detached", "left_detached_y2024m01", "detached");
        jdbc().execute("ALTER TABLE left_detached DETACH PARTITION left_detached_y2024m01");
        droppedAndReplacedByAPlainTable("left_detached", "left_detached_y2024m01");

        PassReport report = pass("left_detached");

        assertThat(rows("left_detached_y2024m01")).isEqualTo(1000);
        assertThat(state("left_detached_y2024m01")).isEqualTo("gone");
        assertThat(report.converged()).isTrue();
    }

    @Test
    void theSameTableWithOtherColumnsIsLeftAloneNamingTheChange() {
        table("altered");
        retirementLeft("altered", "altered_y2024m01", "detached");
        jdbc().execute("ALTER TABLE altered DETACH PARTITION altered_y2024m01");
        jdbc().execute("ALTER TABLE altered_y2024m01 ADD COLUMN added_later int");

        PassReport report = pass("altered");

        assertThat(rows("altered_y2024m01")).isEqualTo(100);
        assertThat(report.failures()).singleElement().satisfies(f -> assertThat(f.error())
                .contains("altered_y2024m01 has columns", "added_later", "it is left alone"));
        assertThat(state("altered_y2024m01")).isEqualTo("detached");
    }

    @Test
    void aRetirementRecordedBeforeOidsWereIsNotResumedOnATableOfThatNameButExplainsHowToConfirmIt() {
        table("legacy");
        jdbc().execute("ALTER TABLE legacy DETACH PARTITION legacy_y2024m01");
        jdbc().update("""
                INSERT INTO partwarden.retirement (parent_schema, parent_name, partition_schema, partition_name, lower_bound, upper_bound, state)
                VALUES ('public', 'legacy', 'public', 'legacy_y2024m01', '2024-01-01', '2024-02-01', 'detached')""");

        PassReport report = pass("legacy");

        assertThat(rows("legacy_y2024m01")).isEqualTo(100);
        assertThat(report.failures()).singleElement().satisfies(f -> assertThat(f.error())
                .contains("recorded before Partwarden noted which table it began on", "UPDATE partwarden.retirement SET partition_oid"));

        jdbc().update("UPDATE partwarden.retirement SET partition_oid = 'legacy_y2024m01'::regclass,"
                + " partition_columns = partwarden.column_signature('legacy_y2024m01') WHERE partition_name = 'legacy_y2024m01'");
        assertThat(pass("legacy").converged()).as("confirmed as the instructions say, it is finished").isTrue();
        assertThat(jdbc().queryForObject("SELECT to_regclass('legacy_y2024m01') IS NULL", Boolean.class)).isTrue();
    }
}
