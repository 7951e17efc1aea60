package io.partwarden.migration;

import io.partwarden.migration.WritableDatabase.ReadOnlyDatabaseException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A read-only database stops start-up with one FAILED line naming it, not a stack trace. */
class ReadOnlyDatabaseFailureAnalyzer extends AbstractFailureAnalyzer<ReadOnlyDatabaseException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ReadOnlyDatabaseException cause) {
        return new FailureAnalysis("FAILED " + cause.getMessage() + "\n\nNothing was migrated or changed.",
                "Point spring.datasource.url at the primary. If the database was made read-only on purpose"
                        + " (ALTER DATABASE ... SET default_transaction_read_only = on, or the same on the role),"
                        + " run Partwarden once it accepts writes again. --dry-run and --verify change nothing and"
                        + " run on a read-only database.",
                cause);
    }
}
