package io.partwarden.config;

import java.io.File;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.system.ApplicationHome;

/**
 * Where configuration files are read besides Spring Boot's own places (the working directory,
 * its config/ folder, the classpath): the directory of the jar, so that an application.yml beside
 * the jar applies wherever the jar is started from (a cron job starts it from /).
 */
public final class ConfigFileLocation {

    /** Spring Boot reads these locations in addition to its defaults, and before them in precedence. */
    static final String PROPERTY = "spring.config.additional-location";

    private ConfigFileLocation() {
    }

    /**
     * {@code optional:file:<jar's directory>/} when the application runs from a jar (not from
     * classes, as in an IDE or the tests, where the working directory is the place).
     */
    public static Optional<String> besideTheJar(Class<?> application) {
        File source = new ApplicationHome(application).getSource();
        if (source == null || !source.isFile() || !source.getName().endsWith(".jar")) {
            return Optional.empty();
        }
        return Optional.of(location(source.getAbsoluteFile().getParentFile()));
    }

    static String location(File directory) {
        return "optional:file:" + directory.getPath() + File.separator;
    }

    /** As a default property: a location given on the command line or elsewhere replaces it. */
    public static Map<String, Object> property(String location) {
        return Map.of(PROPERTY, location);
    }
}
