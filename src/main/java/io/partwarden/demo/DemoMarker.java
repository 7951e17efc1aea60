package io.partwarden.demo;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Properties;

/**
 * The file a demo writes into its directory first of all, so that a later demo can tell the
 * directory is a demo's and whether the process that made it still runs: its pid and start
 * time (a pid alone may since belong to another process), the embedded server's port, data
 * directory and the user it runs as.
 *
 * @param pid the demo's process
 * @param started when that process started, where the system tells
 */
record DemoMarker(long pid, Optional<Instant> started, int port, Path data, String user) {

    static final String FILE = "partwarden-demo.properties";

    static DemoMarker of(ProcessHandle process, int port, Path data, String user) {
        return new DemoMarker(process.pid(), startOf(process), port, data, user);
    }

    void write(Path home) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(pid));
        properties.setProperty("started", started.map(Instant::toString).orElse(""));
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("data", data.toString());
        properties.setProperty("user", user);
        try (Writer out = Files.newBufferedWriter(home.resolve(FILE), StandardCharsets.UTF_8)) {
            properties.store(out, "partwarden --demo: the next --demo stops this server and deletes this directory"
                    + " once the process below is gone");
        }
    }

    /** The marker in {@code home}; empty when there is none or it is not one of ours. */
    static Optional<DemoMarker> read(Path home) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
            String started = properties.getProperty("started", "");
            return Optional.of(new DemoMarker(Long.parseLong(properties.getProperty("pid")),
                    started.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(started)),
                    Integer.parseInt(properties.getProperty("port")), Path.of(properties.getProperty("data")),
                    properties.getProperty("user", "")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the demo that wrote this still runs: that pid, started at that time. */
    boolean ownerAlive() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(process -> started.isEmpty() || startOf(process).isEmpty() || startOf(process).equals(started))
                .orElse(false);
    }

    private static Optional<Instant> startOf(ProcessHandle process) {
        return process.info().startInstant().map(at -> at.truncatedTo(ChronoUnit.MILLIS));
    }
}
