package io.partwarden.archive;

import static io.partwarden.testing.ArchiveFixture.JANUARY;
import static io.partwarden.testing.ArchiveFixture.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.maintenance.PassReport;
import io.partwarden.testing.ArchiveFixture;
import io.partwarden.testing.Engine;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.S3ProxyServer;
import io.partwarden.testing.TestProperties;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
class S3ArchiveFailuresTest {

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

    @Test
    void anObjectCorruptedAfterItsUploadIsCaughtByTheReadBackAndWrittenAgain() throws Exception {
        ArchiveFixture.create(database.get(), 300);
        String rows = jdbc().queryForObject(ROWS.formatted(JANUARY), String.class);
        String location = "s3://archives/corrupt";
        killAt("archive.recorded", location); // uploaded and recorded, not yet read back
        String key = "corrupt/Audit%20Trail.Events/20240101T000000Z_20240201T000000Z.copy.gz";
        try (var s3 = store.client()) {
            byte[] bytes = s3.getObjectAsBytes(r -> r.bucket("archives").key(key)).asByteArray();
            bytes[bytes.length / 2] ^= 0x5a;
            s3.putObject(r -> r.bucket("archives").key(key), RequestBody.fromBytes(bytes));
        }

        PassReport corrupt = pass(location);

        assertThat(corrupt.converged()).isFalse();
        assertThat(corrupt.failures().get(0).error()).contains("failed verification").contains("the table is kept")
                .contains("s3://archives/" + key);
        assertThat(jdbc().queryForObject(ROWS.formatted(JANUARY), String.class)).isEqualTo(rows);
        PassReport again = pass(location);
        assertThat(again.converged()).as(again.failures().toString()).isTrue();
        String manifest = jdbc().queryForObject("SELECT archive_manifest FROM partwarden.retirement WHERE partition_name ="
                + " 'Events_y2024m01' AND state = 'dropped' AND parent_schema = 'Audit Trail'", String.class);
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
