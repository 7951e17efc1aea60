package io.partwarden.maintenance;

import java.time.Duration;
import java.util.List;

/**
 * What one maintenance pass did: every action's outcome, in the order they ran.
 *
 * @param tables the configured tables the pass went over, as configured
 */
public record PassReport(List<String> tables, List<ActionOutcome> outcomes, Duration took) {

    public PassReport {
        tables = List.copyOf(tables);
        outcomes = List.copyOf(outcomes);
    }

    public List<ActionOutcome> failures() {
        return outcomes.stream().filter(o -> !o.succeeded()).toList();
    }

    /** Every table converged: every action, and every catalog read, succeeded. */
    public boolean converged() {
        return failures().isEmpty();
    }

    /** The tables all of whose actions succeeded, or which needed none. */
    public List<String> convergedTables() {
        return tables.stream().filter(t -> failures().stream().noneMatch(f -> f.table().equals(t))).toList();
    }
}
