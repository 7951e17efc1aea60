package io.partwarden.archive;

import static io.partwarden.testing.ArchiveFixture.JANUARY;
import static io.partwarden.testing.ArchiveFixture.ROWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Commands;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.S3ProxyServer;
import io.partwarden.testing.TestProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * What goes wrong with object storage, against a real S3 API server: each refused before the
 * detach with a message naming it, the partition attached and whole; an object damaged after
 * it was written is caught by the read-back, the table kept and archived again.
 */
@ExtendWith(OutputCaptureExtension.class)
class S3ArchiveFailuresTest {

    static final String JANUARY_DATA = "Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.copy.gz";
    static final String JANUARY_MANIFEST = "Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.manifest.json";
    /** A database no one listens for: --list-archives must not need one. */
    static final String NO_DATABASE = "jdbc:postgresql://127.0.0.1:1/none";
    static final String TABLES = "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE nspname = 'Audit Trail' AND relkind IN ('r', 'p')";

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @TempDir
    static Path storeDirectory;

    static S3ProxyServer store;

    @BeforeAll
    static void start() throws Exception {
        TestProperties.migrate(database.get());
        store = S3ProxyServer.startAsDefault(storeDirectory, "archives");
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
    }

    static JdbcTemplate jdbc() {
        return database.get().jdbc();
    }

    static Map<String, String> archivingTo(String location) {
        Map<String, String> settings = new HashMap<>(ArchiveFixture.archivingTo("unused"));
        settings.remove("archive.directory");
        settings.put("archive.location", location);
        settings.put("archive.s3.endpoint", store.endpoint().toString());
        settings.put("archive.s3.path-style", "true");
        return settings;
    }

    static PassReport pass(String location) {
        return Engine.on(database.get(), archivingTo(location)).runner().runIfLockFree().orElseThrow();
    }

    @Test
    void aWrongSecretIsRefusedBeforeTheDetachNamingTheSecret() {
        ArchiveFixture.create(database.get(), 50);
        String rows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
        System.setProperty("aws.secretAccessKey", "not-the-secret");
        try {
            PassReport report = pass("s3://archives/wrong");

            assertThat(report.failures()).isNotEmpty().allSatisfy(f -> assertThat(f.error())
                    .contains("could not reach bucket archives").contains("AWS SDK's default chain"));
        } finally {
            System.setProperty("aws.secretAccessKey", store.credential());
        }
        assertAttachedAndWhole(rows);
    }

    @Test
    void aMissingBucketIsRefusedBeforeTheDetachNamingTheBucket() {
        ArchiveFixture.create(database.get(), 50);
        String rows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);

        PassReport report = pass("s3://no-such-bucket/x");

        assertThat(report.failures()).isNotEmpty().allSatisfy(f -> assertThat(f.error())
                .contains("could not reach bucket no-such-bucket: the bucket does not exist"));
        assertAttachedAndWhole(rows);
    }

    @Test
    void aStoreThatIsDownIsRefusedBeforeTheDetachNamingTheEndpoint() throws Exception {
        ArchiveFixture.create(database.get(), 50);
        String rows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
        try (S3ProxyServer gone = S3ProxyServer.start(storeDirectory.resolve("gone"))) {
            gone.kill();
            Map<String, String> settings = archivingTo("s3://archives/gone");
            settings.put("archive.s3.endpoint", gone.endpoint().toString());

            PassReport report = Engine.on(database.get(), settings).runner().runIfLockFree().orElseThrow();

            assertThat(report.failures()).isNotEmpty().allSatisfy(f -> assertThat(f.error())
                    .contains("the store cannot be reached"));
        }
        assertAttachedAndWhole(rows);
    }

    /** How an object is damaged after its upload: a byte changed, or its tail lost. */
    enum Damage {
        A_BYTE_CHANGED, TRUNCATED;

        byte[] apply(byte[] bytes) {
            if (this == TRUNCATED) {
                return java.util.Arrays.copyOf(bytes, bytes.length / 2);
            }
            bytes[bytes.length / 2] ^= 0x5a;
            return bytes;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void anObjectDamagedAfterItsUploadIsCaughtByTheReadBackAndWrittenAgain(Damage damage) throws Exception {
        ArchiveFixture.create(database.get(), 300);
        String rows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
        String location = "s3://archives/" + damage.name().toLowerCase(java.util.Locale.ROOT);
        killAt("archive.recorded", location); // uploaded and recorded, not yet read back
        String key = location.substring("s3://archives/".length()) + "/" + JANUARY_DATA;
        try (var s3 = store.client()) {
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket("archives").key(key)).asByteArray();
            s3.putObject(r -> r.bucket("archives").key(key), RequestBody.fromBytes(damage.apply(bytes)));
        }

        PassReport damaged = pass(location);

        assertThat(damaged.converged()).isFalse();
        assertThat(damaged.failures().get(0).error()).contains("failed verification").contains("the table is kept")
                .contains("s3://archives/" + key);
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(rows);
        PassReport again = pass(location);
        assertThat(again.converged()).as(again.failures().toString()).isTrue();
        assertRestoredFromTheStore(location, rows);
    }

    @Test
    void aStoreKilledMidUploadLeavesTheTableDetachedAndWholeAndTheNextPassWritesItAgain() throws Exception {
        ArchiveFixture.create(database.get(), 10);
        // ~40 MB of hex digits in January: its archive is a multipart upload of three parts
        jdbc().execute("""
                INSERT INTO "Audit Trail"."Events" ("Id", "At", note)
                SELECT 1000 + g, '2024-01-20'::timestamptz + g * interval '1 second',
                       (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 8) i)
                  FROM generate_series(1, 160000) g""");
        String rows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
        List<ArchiveWrite> writes = new CopyOnWriteArrayList<>();
        String location = "s3://archives/killed";
        S3ProxyServer side = S3ProxyServer.start(storeDirectory.resolve("killed"), store.credential());
        try {
            side.createBucket("archives");
            Map<String, String> settings = archivingTo(location);
            settings.put("archive.s3.endpoint", side.endpoint().toString());
            Thread killer = killOnceAnUploadBegins(side);

            PassReport killed = Engine.on(database.get(), settings, event -> {
                if (event instanceof ArchiveWrite write) {
                    writes.add(write);
                }
            }).runner().runIfLockFree().orElseThrow();
            killer.join(30_000);

            assertThat(killed.converged()).isFalse();
            assertThat(killed.failures().get(0).error()).contains("Events_y2024m01").contains("uploading");
            assertThat(jdbc().queryForObject("SELECT state FROM partwarden.retirement WHERE partition_name = 'Events_y2024m01'"
                    + " AND parent_schema = 'Audit Trail'", String.class)).isEqualTo("detached");
            assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions(?::regclass) WHERE partition_name ="
                    + " 'Events_y2024m01'", Long.class, ArchiveFixture.QUALIFIED)).as("detached").isZero();
            assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).as("whole").isEqualTo(rows);
            assertThat(writes).containsExactly(new ArchiveWrite("Audit Trail.Events", "s3", 0, false));

            side = side.restart();
            try (var s3 = side.client()) {
                assertThat(s3.listMultipartUploads(r -> r.bucket("archives")).uploads())
                        .as("the upload the kill cut short, which no abort reached").isNotEmpty();
            }
            PassReport again = Engine.on(database.get(), settings, event -> {
                if (event instanceof ArchiveWrite write) {
                    writes.add(write);
                }
            }).runner().runIfLockFree().orElseThrow();

            assertThat(again.converged()).as(again.failures().toString()).isTrue();
            try (var s3 = side.client()) {
                assertThat(s3.listMultipartUploads(r -> r.bucket("archives")).uploads()).as("aborted by the next write").isEmpty();
                long stored = s3.headObject(r -> r.bucket("archives").key("killed/" + JANUARY_DATA)).contentLength();
                assertThat(stored).isGreaterThan(2L * 8 * 1024 * 1024);
                assertThat(writes).contains(new ArchiveWrite("Audit Trail.Events", "s3", stored, true));
            }
            Engine.restoreOn(database.get(), settings).restore("s3://archives/killed/" + JANUARY_MANIFEST,
                    io.partwarden.catalog.TableName.parse("Audit Trail.back"), java.time.Duration.ofSeconds(5));
            assertThat(jdbc().queryForObject(ROWS.formatted("\"Audit Trail\".back"), String.class)).isEqualTo(rows);
        } finally {
            side.kill();
        }
    }

    /** Kills {@code side} as soon as a multipart upload shows there, i.e. while its parts are being sent. */
    private static Thread killOnceAnUploadBegins(S3ProxyServer side) {
        Thread killer = new Thread(() -> {
            try (var s3 = side.client()) {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    if (!s3.listMultipartUploads(r -> r.bucket("archives")).uploads().isEmpty()) {
                        side.kill();
                        return;
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kill-the-store");
        killer.start();
        return killer;
    }

    @Test
    void aManifestOfAnotherTableInTheStoreIsRefusedByTheColumnsItLacksAndNothingIsCreated() throws Exception {
        ArchiveFixture.create(database.get(), 50);
        String location = "s3://archives/other";
        assertThat(pass(location).converged()).isTrue();
        jdbc().execute("CREATE TABLE \"Audit Trail\".metrics (at timestamptz NOT NULL, value float8) PARTITION BY RANGE (at)");
        String otherKey = "other/Audit%20Trail.Events/of-metrics.manifest.json";
        try (var s3 = store.client()) {
            String manifest = s3.getObjectAsBytes(r -> r.bucket("archives").key("other/" + JANUARY_MANIFEST)).asUtf8String();
            s3.putObject(r -> r.bucket("archives").key(otherKey),
                    RequestBody.fromString(manifest.replace("\"name\" : \"Events\"", "\"name\" : \"metrics\"")));
        }
        String tablesBefore = jdbc().queryForObject(TABLES, String.class);

        assertThat(catchThrowable(() -> Engine.restoreOn(database.get(), archivingTo(location))
                .restore("s3://archives/" + otherKey, null, java.time.Duration.ofSeconds(5))))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("is an archive of Audit Trail.metrics that Audit Trail.metrics cannot take")
                .hasMessageContaining("no column Id bigint");
        assertThat(jdbc().queryForObject(TABLES, String.class)).isEqualTo(tablesBefore);
    }

    @Test
    void listArchivesNamesEachArchiveInTheStoreWithoutADatabaseAndATruncatedOneAsAProblem(CapturedOutput output) {
        ArchiveFixture.create(database.get(), 40);
        String location = "s3://archives/listed";
        assertThat(pass(location).converged()).isTrue();
        List<String> args = new ArrayList<>(List.of("--list-archives=" + location));
        archivingTo(location).forEach((key, value) -> args.add("--partwarden." + key + "=" + value));

        assertThat(Commands.runOn(NO_DATABASE, "nobody", "", args.toArray(String[]::new))).isZero();
        assertThat(output.getOut()).contains("Archives in s3://archives/listed/: 2 of 1 table, 80 rows")
                .containsPattern("Audit Trail\\.Events +2024-01-01T00:00:00Z +2024-02-01T00:00:00Z +40 +\\d+ +\\S+ +s3://archives/listed/"
                        + java.util.regex.Pattern.quote(JANUARY_MANIFEST))
                .containsPattern("Audit Trail\\.Events +2024-02-01T00:00:00Z +2024-03-01T00:00:00Z +40 ");
        try (var s3 = store.client()) {
            String key = "listed/" + JANUARY_DATA;
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket("archives").key(key)).asByteArray();
            s3.putObject(r -> r.bucket("archives").key(key), RequestBody.fromBytes(Damage.TRUNCATED.apply(bytes)));
        }

        assertThat(Commands.runOn(NO_DATABASE, "nobody", "", args.toArray(String[]::new))).isEqualTo(1);
        assertThat(output.getOut()).contains("PROBLEM s3://archives/listed/" + JANUARY_DATA + " holds ")
                .contains("bytes, its manifest names");
    }

    private static void assertRestoredFromTheStore(String location, String rows) {
        String manifest = jdbc().queryForObject("SELECT archive_manifest FROM partwarden.retirement WHERE partition_name ="
                + " 'Events_y2024m01' AND state = 'dropped' AND parent_schema = 'Audit Trail'", String.class);
        assertThat(manifest).startsWith(location + "/");
        Engine.restoreOn(database.get(), archivingTo(location)).restore(manifest,
                io.partwarden.catalog.TableName.parse("Audit Trail.back"), java.time.Duration.ofSeconds(5));
        assertThat(jdbc().queryForObject(ROWS.formatted("\"Audit Trail\".back"), String.class)).isEqualTo(rows);
    }

    private static void killAt(String step, String location) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--once",
                "--spring.datasource.url=" + database.get().url(), "--spring.datasource.username=" + database.get().user(),
                "--spring.datasource.password=" + database.get().password(), "--partwarden.lock.at-most-for=1s"));
        archivingTo(location).forEach((key, value) -> args.add("--partwarden." + key + "=" + value));
        Map<String, String> environment = new HashMap<>(store.environment());
        environment.put("PARTWARDEN_FAILPOINT", step);
        try (io.partwarden.testing.ServiceProcess service = io.partwarden.testing.ServiceProcess.start(environment, args)) {
            service.awaitOutput(io.partwarden.failpoint.Failpoint.REACHED + step, java.time.Duration.ofSeconds(90));
            service.kill9();
        }
        io.partwarden.testing.RunningDaemon.await("the killed process's lock lapses", java.time.Duration.ofSeconds(10),
                () -> jdbc().queryForObject("SELECT count(*) FROM partwarden.shedlock WHERE lock_until > timezone('utc', now())",
                        Long.class) == 0);
    }

    private static void assertAttachedAndWhole(String rows) {
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.partitions(?::regclass) WHERE partition_name ="
                + " 'Events_y2024m01'", Long.class, ArchiveFixture.QUALIFIED)).as("still attached").isEqualTo(1L);
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(rows);
        assertThat(jdbc().queryForObject("SELECT count(*) FROM partwarden.retirement WHERE parent_schema = 'Audit Trail'",
                Long.class)).as("no retirement begun").isZero();
    }
}
