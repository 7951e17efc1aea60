package io.partwarden.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** An invalid configuration stops start-up with each problem on a line of its own, and no stack trace. */
class InvalidConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage() + "\n\nNothing connected to the database; nothing was changed.",
                "Correct the properties named above, wherever they are given (the command line, an environment"
                        + " variable, an application.yml); README.md, section Properties, lists every property, its"
                        + " default and what it allows. Exit code 2.",
                cause);
    }
}
