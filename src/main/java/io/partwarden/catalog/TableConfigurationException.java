package io.partwarden.catalog;

import io.partwarden.cli.ExitCode;
import java.util.List;
import org.springframework.boot.ExitCodeGenerator;

/**
 * The configured tables do not match the database; each problem names its property. A
 * configuration error like any other: exit code 2.
 */
public class TableConfigurationException extends RuntimeException implements ExitCodeGenerator {

    private final List<String> problems;
    private final String changed;

    public TableConfigurationException(List<String> problems) {
        this(problems, "Nothing was changed in the database.");
    }

    /** @param changed what had been changed in the database before the problems were found, in words */
    public TableConfigurationException(List<String> problems, String changed) {
        super("Partwarden's tables do not match the database:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
        this.changed = changed;
    }

    public List<String> problems() {
        return problems;
    }

    @Override
    public int getExitCode() {
        return ExitCode.USAGE.code();
    }

    /** What had been changed in the database when the problems were found, e.g. "Nothing was changed in the database." */
    public String changed() {
        return changed;
    }
}
