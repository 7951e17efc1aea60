package io.partwarden.config;

import io.partwarden.cli.ExitCode;
import java.util.List;
import org.springframework.boot.ExitCodeGenerator;

/**
 * The configuration is not valid: found before the application context starts, so nothing has
 * connected to the database. Exit code 2, as for a command line that is not valid.
 */
public class InvalidConfigurationException extends IllegalArgumentException implements ExitCodeGenerator {

    private final List<String> problems;

    InvalidConfigurationException(List<String> problems, Throwable cause) {
        super("Partwarden's configuration is not valid:\n  - " + String.join("\n  - ", problems), cause);
        this.problems = List.copyOf(problems);
    }

    /** Each problem: the property, what was given and what is allowed. */
    public List<String> problems() {
        return problems;
    }

    @Override
    public int getExitCode() {
        return ExitCode.USAGE.code();
    }
}
