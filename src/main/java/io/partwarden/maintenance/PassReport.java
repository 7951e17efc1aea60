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
        java.util.Set<String> failed = failures().stream().map(ActionOutcome::table).collect(java.util.stream.Collectors.toSet());
        return tables.stream().filter(t -> !failed.contains(t)).toList();
    }
}
