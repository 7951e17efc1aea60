package io.partwarden.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server for the tests: S3Proxy (filesystem backend, SigV4 and V2 authentication)
 * as its own process, from the jar the build copies to {@code target/s3proxy/s3proxy.jar}, on a
 * kernel-chosen port, its buckets as directories under {@code directory}. Killed on close.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");

    private final Path directory;
    private final Process process;
    private final int port;
    private final String identity;
    private final String credential;
    private final Path log;

    private S3ProxyServer(Path directory, Process process, int port, String identity, String credential, Path log) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.identity = identity;
        this.credential = credential;
        this.log = log;
    }

    public static S3ProxyServer start(Path directory) throws IOException, InterruptedException {
        return start(directory, freePort());
    }

    /** On a given port: a test that kills the store starts it again where the service expects it. */
    public static S3ProxyServer start(Path directory, int port) throws IOException, InterruptedException {
        return start(directory, port,
                "secret-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()).toLowerCase(Locale.ROOT));
    }

    /** With the secret of another: a second store that the credentials the JVM holds reach too. */
    public static S3ProxyServer start(Path directory, String credential) throws IOException, InterruptedException {
        return start(directory, freePort(), credential);
    }

    /** The store started again after {@link #kill}: the same port, data and credentials. */
    public S3ProxyServer restart() throws IOException, InterruptedException {
        kill();
        return start(directory, port, credential);
    }

    private static S3ProxyServer start(Path directory, int port, String credential) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: `mvn generate-test-resources` copies it from Maven Central");
        }
        Path data = Files.createDirectories(directory.resolve("buckets"));
        String identity = "partwarden-test";
        Path properties = directory.resolve("s3proxy-" + port + ".conf");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + identity,
                "s3proxy.credential=" + credential,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data, ""));
        Path log = directory.resolve("s3proxy-" + port + ".log");
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", JAR.toAbsolutePath().toString(), "--properties", properties.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(directory, process, port, identity, credential, log);
        server.awaitListening(Duration.ofSeconds(90));
        return server;
    }

    private void awaitListening(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("S3Proxy did not listen on " + port + ":\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public String identity() {
        return identity;
    }

    public String credential() {
        return credential;
    }

    /** A client of the store as its operator: to make buckets, or to damage what Partwarden wrote. */
    public software.amazon.awssdk.services.s3.S3Client client() {
        return software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(endpoint()).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(identity, credential)))
                .build();
    }

    /** Makes a bucket, as an operator would before pointing Partwarden at it. */
    public void createBucket(String bucket) {
        try (var s3 = client()) {
            s3.createBucket(r -> r.bucket(bucket));
        }
    }

    /**
     * Starts a store with bucket {@code bucket} whose credentials the AWS SDK's default chain finds
     * in this JVM (its system properties, as the service finds them in its environment); {@link
     * #close} takes them away again.
     */
    public static S3ProxyServer startAsDefault(Path directory, String bucket) throws IOException, InterruptedException {
        S3ProxyServer server = start(directory);
        server.createBucket(bucket);
        System.setProperty("aws.accessKeyId", server.identity);
        System.setProperty("aws.secretAccessKey", server.credential);
        return server;
    }

    /** What the service's environment needs to reach the store as {@link #startAsDefault} does in this JVM. */
    public java.util.Map<String, String> environment() {
        return java.util.Map.of("AWS_ACCESS_KEY_ID", identity, "AWS_SECRET_ACCESS_KEY", credential);
    }

    /** The store gone at once, as a crashed or unplugged one. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (identity.equals(System.getProperty("aws.accessKeyId")) && credential.equals(System.getProperty("aws.secretAccessKey"))) {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
