package io.partwarden.catalog;

import java.util.List;

/** The configured tables do not match the database; each problem names its property. */
public class TableConfigurationException extends RuntimeException {

    private final List<String> problems;

    public TableConfigurationException(List<String> problems) {
        super("Partwarden's tables do not match the database:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
