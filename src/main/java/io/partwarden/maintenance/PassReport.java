package io.partwarden.maintenance;

import java.time.Duration;
import java.util.List;

/** What one maintenance pass did: every action's outcome, in the order they ran. */
public record PassReport(List<ActionOutcome> outcomes, Duration took) {

    public PassReport {
        outcomes = List.copyOf(outcomes);
    }

    public List<ActionOutcome> failures() {
        return outcomes.stream().filter(o -> !o.succeeded()).toList();
    }

    /** Every table converged: every action, and every catalog read, succeeded. */
    public boolean converged() {
        return failures().isEmpty();
    }
}
