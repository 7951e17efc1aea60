package io.partwarden.catalog;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

class TableConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<TableConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TableConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage() + "\n\n" + cause.changed(),
                "Each table under partwarden.tables must exist and be declared PARTITION BY RANGE on the"
                        + " configured column (partwarden.tables[N].column, default ts), of type timestamptz,"
                        + " and every name Partwarden derives from it (partitions, their index and constraint copies)"
                        + " must fit PostgreSQL's 63 bytes.",
                cause);
    }
}
