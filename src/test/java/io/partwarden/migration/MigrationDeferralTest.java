package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.maintenance.TableCheck;
import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Where the conversion is to be online, migration 3 only checks the plain workflow_events from the
 * catalog and leaves it as it is, every row in place, for the service to convert (design, section
 * 3); migration 8.1, later in the same run, puts conversion.sql's convert_to_monthly_partitions
 * back. Below online-above, auto converts in place as before. What the online conversion cannot
 * carry over fails the migration naming the culprit, and a failed first install leaves nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
@VersionSensitive
class MigrationDeferralTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static final String ROW_CHECKSUM = """
            SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, run_id, ts, type, payload, created_at), ',' ORDER BY id))
              FROM workflow_events""";
    static final String KIND = "SELECT relkind::text FROM pg_class WHERE oid = 'public.workflow_events'::regclass";
    static final String CONVERT_BODY = """
            SELECT prosrc FROM pg_proc
             WHERE oid = 'partwarden.convert_to_monthly_partitions(regclass, name, int, text, int)'::regprocedure""";
    static final String PARTWARDEN_ABSENT = "SELECT to_regnamespace('partwarden') IS NULL";

    static MigrateResult migrate(TestDatabase db, String... settings) {
        return SchemaMigration.migrate(db.dataSource(), properties(settings));
    }

    static PartwardenProperties properties(String... settings) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return TestProperties.partwarden(map);
    }

    /** conversion.sql's body of convert_to_monthly_partitions, as pg_proc.prosrc holds it. */
    static String conversionSqlBody() {
        Matcher body = Pattern.compile("CREATE OR REPLACE FUNCTION partwarden\\.convert_to_monthly_partitions\\(.*?\\nAS \\$\\$(.*?)\\$\\$;",
                Pattern.DOTALL).matcher(ConversionFunctions.SQL);
        assertThat(body.find()).isTrue();
        return body.group(1);
    }

    static void meshHook(TestDatabase db) {
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
    }

    static String kind(TestDatabase db) {
        return db.jdbc().queryForObject(KIND, String.class);
    }

    @Test
    void onlineLeavesALargeTablePlainWithEveryRowAndPutsTheInPlaceFunctionBack(CapturedOutput output) {
        TestDatabase db = database.get();
        meshHook(db);
        db.execute("""
                INSERT INTO workflow_events (run_id, ts, type, payload)
                SELECT 'c0000000-0000-0000-0000-000000000012', now() - make_interval(secs => g * 60), 'bulk', '{}'
                  FROM generate_series(1, 300000) g;
                ANALYZE workflow_events;""");
        String rowsBefore = db.jdbc().queryForObject(ROW_CHECKSUM, String.class);

        migrate(db, "migration.conversion", "online");

        assertThat(kind(db)).as("still a plain table").isEqualTo("r");
        assertThat(db.jdbc().queryForObject(ROW_CHECKSUM, String.class)).startsWith("310000:").isEqualTo(rowsBefore);
        assertThat(output).contains("Partwarden: public.workflow_events stays a plain table for now"
                + " (partwarden.migration.conversion=online): the service converts it online after the migration");
        assertThat(db.jdbc().queryForObject(CONVERT_BODY, String.class)).as("migration 8.1 installed conversion.sql again")
                .isEqualTo(conversionSqlBody());
        assertThat(db.jdbc().queryForObject("SELECT to_regclass('partwarden.conversion') IS NOT NULL", Boolean.class)).isTrue();
        assertThat(new TableCheck(db.jdbc()).problems(properties("migration.conversion", "online")))
                .as("the plain events table is legitimate after the migration: the service converts it").isEmpty();
        db.jdbc().queryForList("SELECT partwarden.check_online_convertible('public.workflow_events', 'ts')");
        assertThat(migrate(db, "migration.conversion", "online").migrationsExecuted).isZero();
    }

    @Test
    void autoBelowOnlineAboveConvertsInPlaceInMigration3(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("deferral_auto_below")) {
            meshHook(db);
            db.execute("ANALYZE workflow_events");

            migrate(db, "migration.online-above", "20000");

            assertThat(kind(db)).isEqualTo("p");
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000);
            assertThat(output).contains("converts public.workflow_events in place, in one transaction (auto: about 10,000 rows"
                    + " by the catalog's estimate, not over partwarden.migration.online-above 20,000)");
        }
    }

    @Test
    void autoWithTheEstimateOverOnlineAboveLeavesItPlainSayingWhy(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("deferral_auto_over")) {
            meshHook(db);
            db.execute("ANALYZE workflow_events");

            DatabaseMigration.Migrated migrated = new DatabaseMigration(db.dataSource(), db.jdbc(),
                    properties("migration.online-above", "5000")).migrate();

            assertThat(kind(db)).isEqualTo("r");
            assertThat(migrated.describe()).contains(", and public.workflow_events was left a plain table, which the service"
                    + " converts online.");
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000);
            assertThat(output).contains("stays a plain table for now (auto: about 10,000 rows by the catalog's estimate,"
                    + " over partwarden.migration.online-above 5,000)");
            assertThat(db.jdbc().queryForObject(CONVERT_BODY, String.class)).isEqualTo(conversionSqlBody());
        }
    }

    @Test
    void aTableNeverAnalyzedIsCountedNoFurtherThanTheBound(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("deferral_counted")) {
            db.runScript("demo/meshhook.sql");
            db.execute("ALTER TABLE workflow_events SET (autovacuum_enabled = false)"); // reltuples stays -1
            db.runScript("demo/meshhook-events.sql");

            migrate(db, "migration.online-above", "5000");

            assertThat(kind(db)).isEqualTo("r");
            assertThat(output).contains("(auto: at least 5,001 rows, counted no further (the catalog has no estimate: the table"
                    + " was never analyzed), over partwarden.migration.online-above 5,000)");
        }
    }

    @Test
    void aDatabaseAtMigration2DefersInMigration3AndGets81sFunctionAfter(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("deferral_from_v2")) {
            meshHook(db);
            PartwardenProperties online = properties("migration.conversion", "online");
            Flyway toV2 = Flyway.configure().configuration(SchemaMigration.flyway(db.dataSource(), online, true).getConfiguration())
                    .target("2").load();
            toV2.migrate();

            MigrateResult result = SchemaMigration.migrate(db.dataSource(), online);

            assertThat(result.migrations.stream().map(m -> m.version)).startsWith("3", "4", "7", "8", "8.1");
            assertThat(kind(db)).isEqualTo("r");
            assertThat(output).as("the reason, set for migration 3's own transaction, reached its NOTICE")
                    .contains("stays a plain table for now (partwarden.migration.conversion=online)");
            assertThat(db.jdbc().queryForObject(CONVERT_BODY, String.class)).isEqualTo(conversionSqlBody());
        }
    }

    // ----- refusals: each fails the migration naming the culprit, and leaves the database as it was

    static final String PLAIN_BIGINT_KEY = """
            CREATE TABLE workflow_events (id bigint PRIMARY KEY, ts timestamptz NOT NULL);
            INSERT INTO workflow_events SELECT g, now() - make_interval(days => g) FROM generate_series(1, 3) g;""";

    static void refused(String setup, String culprit, String... settings) {
        try (TestDatabase db = TestDatabase.create("deferral_refused")) {
            db.execute(setup);
            long rows = db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class);

            assertThatThrownBy(() -> migrate(db, settings)).hasMessageContaining(culprit);

            assertThat(db.jdbc().queryForObject(PARTWARDEN_ABSENT, Boolean.class)).as("schema partwarden removed").isTrue();
            assertThat(kind(db)).isEqualTo("r");
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(rows);
        }
    }

    @Test
    void aTableWithoutPrimaryKeyIsRefused() {
        refused("""
                CREATE TABLE workflow_events (id bigint, ts timestamptz NOT NULL);
                INSERT INTO workflow_events VALUES (1, now());""",
                "cannot convert public.workflow_events online: it has no primary key; the online conversion copies by a single"
                        + " integer primary key", "migration.conversion", "online");
    }

    @Test
    void aCompositePrimaryKeyIsRefusedNamingItsColumnsAndTheWayOut() {
        refused("""
                CREATE TABLE workflow_events (id bigint, ts timestamptz NOT NULL, PRIMARY KEY (id, ts));
                INSERT INTO workflow_events VALUES (1, now());""",
                "its primary key workflow_events_pkey is (id bigint, ts timestamp with time zone), not one smallint, integer or"
                        + " bigint column", "migration.online-above", "0");
        refused("""
                CREATE TABLE workflow_events (id bigint, ts timestamptz NOT NULL, PRIMARY KEY (id, ts));
                INSERT INTO workflow_events VALUES (1, now());""",
                "set partwarden.migration.conversion=in-place to convert it in one transaction", "migration.online-above", "0");
    }

    @Test
    void aTextPrimaryKeyIsRefused() {
        refused("""
                CREATE TABLE workflow_events (id text PRIMARY KEY, ts timestamptz NOT NULL);
                INSERT INTO workflow_events VALUES ('a', now());""",
                "its primary key workflow_events_pkey is (id text), not one smallint, integer or bigint column",
                "migration.conversion", "online");
    }

    @Test
    void aPublicationForAllTablesIsRefusedByName() {
        refused(PLAIN_BIGINT_KEY + "CREATE PUBLICATION everything FOR ALL TABLES;",
                "publication everything publishes every table (FOR ALL TABLES), so it would also publish the conversion's"
                        + " change log (partwarden.conversion_change)", "migration.conversion", "online");
    }

    @Test
    void aForeignKeyNotValidIsRefused() {
        refused("""
                CREATE TABLE workflow_runs (id bigint PRIMARY KEY);
                """ + PLAIN_BIGINT_KEY + """
                ALTER TABLE workflow_events ADD COLUMN run_id bigint;
                ALTER TABLE workflow_events ADD CONSTRAINT events_run FOREIGN KEY (run_id) REFERENCES workflow_runs
                  ON DELETE CASCADE NOT VALID;""",
                "foreign keys of it are NOT VALID: events_run (to public.workflow_runs)", "migration.conversion", "online");
    }

    // CREATE TABLE ... LIKE copies a NOT VALID constraint valid: unrefused, the row breaking it
    // stopped the copy (in place: rolled back with PostgreSQL's bare error; online: every pass)
    static final String CHECK_NOT_VALID_BROKEN = PLAIN_BIGINT_KEY + """
            ALTER TABLE workflow_events ADD COLUMN kind text;
            UPDATE workflow_events SET kind = 'x' WHERE id = 1;
            ALTER TABLE workflow_events ADD CONSTRAINT events_kind_known CHECK (kind IN ('x')) NOT VALID;""";
    static final String CHECK_NOT_VALID_REFUSAL = "cannot convert public.workflow_events: constraints of it are NOT VALID:"
            + " events_kind_known (CHECK ((kind = 'x'::text)) NOT VALID)";

    @Test
    void aCheckNotValidThatRowsBreakIsRefusedInPlaceAndOnlineBeforeAnyChange() {
        refused(CHECK_NOT_VALID_BROKEN, CHECK_NOT_VALID_REFUSAL, "migration.conversion", "in-place");
        refused(CHECK_NOT_VALID_BROKEN, CHECK_NOT_VALID_REFUSAL, "migration.conversion", "online");
    }

    @Test
    void fromPostgres18ANotNullNotValidIsRefusedInPlaceAndOnlineBeforeAnyChange() {
        assumeTrue(TestDatabase.serverVersion() >= 180000, "NOT NULL ... NOT VALID exists from PostgreSQL 18");
        String setup = PLAIN_BIGINT_KEY + """
                ALTER TABLE workflow_events ADD COLUMN kind text;
                UPDATE workflow_events SET kind = 'x' WHERE id = 1;
                ALTER TABLE workflow_events ADD CONSTRAINT events_kind_given NOT NULL kind NOT VALID;""";
        String refusal = "cannot convert public.workflow_events: constraints of it are NOT VALID: events_kind_given"
                + " (NOT NULL kind NOT VALID)";
        refused(setup, refusal, "migration.conversion", "in-place");
        refused(setup, refusal, "migration.conversion", "online");
    }

    @Test
    void aCheckNotValidAddedAfterTheMigrationDeferredIsRefusedWhenTheServiceBeginsTheConversion(CapturedOutput output) {
        try (TestDatabase db = TestDatabase.create("deferral_not_valid")) {
            db.runScript("demo/meshhook.sql");
            db.runScript("demo/meshhook-events.sql");
            migrate(db, "migration.conversion", "online");
            db.execute("ALTER TABLE workflow_events ADD CONSTRAINT events_type_short CHECK (length(type) < 3) NOT VALID");

            Commands.run(db, "--once", "--partwarden.migration.conversion=online");

            assertThat(output.getOut()).contains("cannot convert public.workflow_events: constraints of it are NOT VALID:"
                    + " events_type_short (CHECK ((length(type) < 3)) NOT VALID)");
            assertThat(kind(db)).isEqualTo("r");
            assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workflow_events", Long.class)).isEqualTo(10_000);
        }
    }

    @Test
    void aForeignKeyForbiddingTheDeleteOfItsRowIsRefusedNamingItsAction() {
        refused("""
                CREATE TABLE workflow_runs (id bigint PRIMARY KEY);
                """ + PLAIN_BIGINT_KEY + """
                ALTER TABLE workflow_events ADD COLUMN run_id bigint REFERENCES workflow_runs ON DELETE RESTRICT;""",
                "foreign keys of it forbid deleting the rows they reference: workflow_events_run_id_fkey (to public.workflow_runs,"
                        + " ON DELETE RESTRICT)", "migration.conversion", "online");
    }

    @Test
    void whatTheInPlaceConversionRefusesFromTheCatalogIsRefusedToo() {
        refused(PLAIN_BIGINT_KEY + "CREATE VIEW recent_events AS SELECT * FROM workflow_events;",
                "cannot convert public.workflow_events: views depend on it: public.recent_events", "migration.conversion", "online");
        refused("CREATE TABLE workflow_events (id bigint PRIMARY KEY, ts timestamp NOT NULL);",
                "cannot partition public.workflow_events by ts: the column is timestamp without time zone",
                "migration.conversion", "online");
    }

    @Test
    void aLockTimeoutNotBelowDeadlockTimeoutIsRefusedNamingBoth() {
        long deadlockMillis = database.get().jdbc().queryForObject(DeferredConversion.DEADLOCK_TIMEOUT, Long.class);
        String deadlock = Spelling.of(Duration.ofMillis(deadlockMillis));
        refused(PLAIN_BIGINT_KEY, "partwarden.migration.lock-timeout " + deadlock + " is not below the server's deadlock_timeout "
                + deadlock, "migration.conversion", "online", "migration.lock-timeout", deadlockMillis + "ms");
    }
}
