package io.partwarden.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The suite runs on PostgreSQL servers other people use (see the README's Tests section), so
 * its sources keep two rules, read here from the test sources themselves: a test that ends or
 * cancels backends limits itself to its own database, and a test that creates a role drops it.
 */
class SharedServerMannersTest {

    static final Path TESTS = Path.of("src/test/java");
    static final Pattern SIGNAL = Pattern.compile("pg_(terminate|cancel)_backend", Pattern.CASE_INSENSITIVE);
    static final Pattern CREATE_ROLE = Pattern.compile("CREATE\\s+(ROLE|USER)\\b", Pattern.CASE_INSENSITIVE);
    static final Pattern DROP_ROLE = Pattern.compile("DROP\\s+(ROLE|USER)\\b", Pattern.CASE_INSENSITIVE);

    @Test
    void everyBackendATestEndsOrCancelsIsInItsOwnDatabase() throws IOException {
        List<String> unlimited = new ArrayList<>();
        for (Path source : sources()) {
            String text = Files.readString(source);
            Matcher signal = SIGNAL.matcher(text);
            while (signal.find()) {
                int end = text.indexOf(';', signal.end());
                String statement = text.substring(signal.start(), end < 0 ? text.length() : end);
                if (!statement.contains("datname = current_database()")) {
                    unlimited.add(TESTS.relativize(source) + ": " + statement.lines().findFirst().orElse(""));
                }
            }
        }
        assertThat(unlimited).as("pg_terminate_backend / pg_cancel_backend without datname = current_database()").isEmpty();
    }

    @Test
    void everyRoleATestCreatesIsDroppedByTheSameClass() throws IOException {
        List<String> kept = new ArrayList<>();
        for (Path source : sources()) {
            String text = Files.readString(source);
            if (CREATE_ROLE.matcher(text).find() && !DROP_ROLE.matcher(text).find()) {
                kept.add(TESTS.relativize(source).toString());
            }
        }
        assertThat(kept).as("classes that create a role and never drop one").isEmpty();
    }

    private static List<Path> sources() throws IOException {
        Path self = TESTS.resolve(SharedServerMannersTest.class.getName().replace('.', '/') + ".java");
        try (Stream<Path> files = Files.walk(TESTS)) {
            List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).filter(f -> !f.equals(self)).toList();
            assertThat(sources).as("the test sources, read from " + TESTS.toAbsolutePath()).hasSizeGreaterThan(20);
            return sources;
        }
    }
}
