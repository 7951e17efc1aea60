package io.partwarden.migration;

import org.flywaydb.core.api.FlywayException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says, when the migration fails at start-up, what failed and that nothing was half-done. */
class MigrationFailureAnalyzer extends AbstractFailureAnalyzer<FlywayException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FlywayException cause) {
        return new FailureAnalysis(
                "Partwarden's database migration failed: " + cause.getMessage() + "\n\n"
                        + "Each migration runs in a single transaction and this one was rolled back:"
                        + " the tables it touches (workflow_events among them) are exactly as they were before it ran.",
                "Fix what the message names and start Partwarden again; the migration resumes from the"
                        + " last version that succeeded (see table partwarden.partwarden_schema_history).",
                cause);
    }
}
