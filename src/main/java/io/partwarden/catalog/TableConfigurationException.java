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

    public TableConfigurationException(List<String> problems) {
        super("Partwarden's tables do not match the database:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    @Override
    public int getExitCode() {
        return ExitCode.USAGE.code();
    }
}
