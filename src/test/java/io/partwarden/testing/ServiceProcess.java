package io.partwarden.testing;

import io.partwarden.PartwardenApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The service as a separate process, from the test classpath, so that a test can kill it with SIGKILL. */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private ServiceProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static ServiceProcess start(Map<String, String> environment, List<String> args) throws IOException {
        return launch(environment, List.of("-cp", System.getProperty("java.class.path"), PartwardenApplication.class.getName()), args);
    }

    /**
     * The service as {@code java -jar} starts it, from {@code jar}, a jar made by {@link #pathingJar}:
     * the JVM's class path is then that one jar, as it is for {@code java -jar target/partwarden.jar}.
     */
    public static ServiceProcess startJar(Path jar, Map<String, String> environment, List<String> args) throws IOException {
        return launch(environment, List.of("-jar", jar.toString()), args);
    }

    /**
     * A jar holding only a manifest: the main class, and the test class path as its Class-Path,
     * so that {@code java -jar} on it runs the service from the classes under test.
     */
    public static Path pathingJar(Path directory) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PartwardenApplication.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toUri().toString())
                .collect(java.util.stream.Collectors.joining(" ")));
        Path jar = directory.resolve("partwarden-under-test.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return jar;
    }

    private static ServiceProcess launch(Map<String, String> environment, List<String> launch, List<String> args) throws IOException {
        Path output = Files.createTempFile("partwarden-process-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1"));
        command.addAll(launch);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        return new ServiceProcess(builder.start(), output);
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the process prints {@code text}; fails if it exits or the time runs out first. */
    public void awaitOutput(String text, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("the process exited (" + process.exitValue() + ") before printing '" + text
                        + "':\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + within + ":\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook, no finally block runs. */
    public void kill9() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 128 + 9) {
            throw new AssertionError("kill -9 did not end the process as SIGKILL does: " + process.isAlive());
        }
    }

    /** SIGTERM, as Ctrl-C or {@code kill}: the shutdown hooks run; fails if it is still running after {@code within}. */
    public int stop(Duration within) throws InterruptedException {
        process.destroy();
        return awaitExit(within);
    }

    public int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + within + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(output);
    }
}
