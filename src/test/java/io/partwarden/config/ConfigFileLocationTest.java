package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.PartwardenApplication;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's places for an application.yml: beside the jar, wherever the jar is started from,
 * and the working directory (Spring Boot's own). Each is tried with a real process whose file
 * holds only {@code partwarden.tables[0].premake: 7}, and the partitions it makes show it applied.
 */
class ConfigFileLocationTest {

    static final String CONFIG = "partwarden.tables[0].premake: 7\n";

    /** The application's classes as a jar in {@code directory}, as the jar a user runs. */
    static Path applicationJar(Path directory) throws IOException {
        Path classes = Path.of(PartwardenApplication.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path jar = directory.resolve("partwarden.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> !f.equals(classes)).sorted().toList()) {
                String entry = classes.relativize(file).toString().replace(File.separatorChar, '/');
                // directory entries too: classpath scanning finds the packages through them
                out.putNextEntry(new JarEntry(Files.isDirectory(file) ? entry + "/" : entry));
                if (Files.isRegularFile(file)) {
                    Files.copy(file, out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Runs --once with {@code classpathHead} first on the class path, from {@code workingDirectory}. */
    static String runOnce(TestDatabase db, Path classpathHead, Path workingDirectory) throws Exception {
        String classes = PartwardenApplication.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        List<String> classpath = new ArrayList<>(List.of(classpathHead.toString()));
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).equals(Path.of(classes)) && !entry.endsWith("test-classes"))
                .forEach(classpath::add);
        Path log = Files.createTempFile("partwarden-config-location-", ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", String.join(File.pathSeparator, classpath),
                PartwardenApplication.class.getName(), "--once", "--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password())
                .directory(workingDirectory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            String output = Files.readString(log);
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static void assertSevenMonthsAhead(TestDatabase db) {
        assertThat(db.jdbc().queryForObject("SELECT max(partition_name::text) FROM partwarden.partitions('workflow_events')",
                String.class)).isEqualTo(MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(7)));
    }

    @Test
    void anApplicationYmlBesideTheJarAppliesWhereverTheJarIsStartedFrom(@TempDir Path directory) throws Exception {
        Path app = Files.createDirectory(directory.resolve("app"));
        Path elsewhere = Files.createDirectory(directory.resolve("elsewhere"));
        Path jar = applicationJar(app);
        Files.writeString(app.resolve("application.yml"), CONFIG);

        try (TestDatabase db = TestDatabase.create("config_beside_jar")) {
            String output = runOnce(db, jar, elsewhere);

            assertThat(output).contains("partwarden.tables[0]: name=public.workflow_events, column=ts, interval=month, premake=7,");
            assertSevenMonthsAhead(db);
        }
    }

    @Test
    void anApplicationYmlInTheWorkingDirectoryApplies(@TempDir Path directory) throws Exception {
        Files.writeString(directory.resolve("application.yml"), CONFIG);
        Path classes = Path.of(PartwardenApplication.class.getProtectionDomain().getCodeSource().getLocation().getPath());

        try (TestDatabase db = TestDatabase.create("config_working_dir")) {
            runOnce(db, classes, directory);

            assertSevenMonthsAhead(db);
        }
    }

    @Test
    void theLocationBesideTheJarIsOptionalAndOnlyForAJar(@TempDir Path directory) throws IOException {
        assertThat(ConfigFileLocation.location(directory.toFile())).isEqualTo("optional:file:" + directory + "/");
        assertThat(ConfigFileLocation.besideTheJar(PartwardenApplication.class)).as("run from classes").isEmpty();
        assertThat(ConfigFileLocation.property("x")).containsEntry("spring.config.additional-location", "x");
    }
}
