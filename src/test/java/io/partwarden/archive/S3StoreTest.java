package io.partwarden.archive;

import io.partwarden.config.S3Location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Archives as objects in a real S3 API server (S3Proxy): streamed up in parts, read back whole, aborted cleanly. */
class S3StoreTest {

    @TempDir
    static Path directory;

    static S3ProxyServer server;

    @BeforeAll
    static void startStore() throws Exception {
        server = S3ProxyServer.start(directory);
        server.createBucket("archives");
    }

    @AfterAll
    static void stopStore() throws Exception {
        server.close();
    }

    static S3Store store(String location, String secret) {
        return S3Store.open(S3Location.parse(location, "partwarden.archive.location"), server.endpoint(), null, true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(server.identity(), secret)));
    }

    @Test
    void anObjectLargerThanAPartIsStreamedUpInPartsAndReadBackByteForByte() throws Exception {
        byte[] bytes = new byte[20 * 1024 * 1024 + 12345]; // two whole 8 MiB parts and a short last one
        new Random(7).nextBytes(bytes);
        try (S3Store s3 = store("s3://archives/retired/", server.credential())) {
            try (OutputStream out = s3.create("t.events/a.copy.gz")) {
                for (int at = 0; at < bytes.length; at += 100_000) {
                    out.write(bytes, at, Math.min(100_000, bytes.length - at));
                }
            }

            assertThat(s3.size("t.events/a.copy.gz")).isEqualTo(bytes.length);
            try (InputStream in = s3.open("t.events/a.copy.gz", "archive")) {
                assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(bytes));
            }
            assertThat(s3.list("t.events/")).containsExactly("t.events/a.copy.gz");
            assertThat(s3.incompleteUploads()).isEmpty();
        }
    }

    @Test
    void anUploadAbortedMidwayLeavesNoObjectAndNoPartsStored() throws Exception {
        try (S3Store s3 = store("s3://archives/aborted/", server.credential())) {
            OutputStream out = s3.create("t.events/b.copy.gz");
            out.write(new byte[9 * 1024 * 1024]); // one part sent
            assertThat(s3.incompleteUploads()).containsExactly("t.events/b.copy.gz");

            S3Store.abort(out);

            assertThat(s3.size("t.events/b.copy.gz")).isEqualTo(-1);
            assertThat(s3.incompleteUploads()).isEmpty();
        }
    }

    @Test
    void aWrongSecretIsNamedAsSuchBeforeAnythingIsWritten() {
        try (S3Store s3 = store("s3://archives/", "not-the-secret")) {
            assertThatThrownBy(() -> s3.checkReady("public.events_y2024m01"))
                    .isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("cannot archive public.events_y2024m01 to s3://archives/ (partwarden.archive.location)")
                    .hasMessageContaining("could not reach bucket archives")
                    .hasMessageContaining("AWS SDK's default chain");
        }
    }

    @Test
    void aMissingBucketIsNamedAsSuch() {
        try (S3Store s3 = store("s3://no-such-bucket/x", server.credential())) {
            assertThatThrownBy(() -> s3.checkReady("public.events_y2024m01"))
                    .hasMessageContaining("could not reach bucket no-such-bucket: the bucket does not exist");
        }
    }

    @Test
    void aStoreThatWorksPassesTheProbeAndKeepsNothingOfIt() throws IOException {
        try (S3Store s3 = store("s3://archives/probed/", server.credential())) {
            s3.checkReady("public.events_y2024m01");

            assertThat(s3.list("")).isEmpty();
        }
    }

    @Test
    void aStoreThatIsGoneIsNamedWithItsEndpoint() throws Exception {
        try (S3ProxyServer doomed = S3ProxyServer.start(directory.resolve("doomed"))) {
            S3Store s3 = S3Store.open(S3Location.parse("s3://archives/", "p"), doomed.endpoint(), null, true,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(doomed.identity(), doomed.credential())));
            doomed.kill();

            assertThatThrownBy(() -> s3.checkReady("public.events_y2024m01"))
                    .hasMessageContaining("the store cannot be reached");
            s3.close();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
