package io.partwarden.migration;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * The database could not be reached: one FAILED line naming host, port, database, user and the
 * reason, and no word of a migration, which never began. Checked before the migration's analyzer.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class DatabaseUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<DatabaseUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DatabaseUnavailableException cause) {
        return new FailureAnalysis("FAILED " + cause.getMessage() + "\n\nNothing was done in the database.",
                "Check spring.datasource.url (host, port, database), spring.datasource.username and password, and that"
                        + " PostgreSQL is up and accepts connections from here. --once waits for the database up to"
                        + " partwarden.startup.database-wait; the daemon waits as long as it takes.",
                cause);
    }
}
