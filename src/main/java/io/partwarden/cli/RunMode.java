package io.partwarden.cli;

import java.util.Collection;
import java.util.List;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/** What this process was started to do, from its command line ({@link CommandLine} decides). */
public enum RunMode {
    /** No mode flag: migrate, then run passes on the schedule until stopped. */
    DAEMON,
    /** {@code --once}: migrate, one pass, exit. */
    ONCE,
    /** {@code --dry-run}: print the plan as the SQL it would run; change nothing. */
    DRY_RUN,
    /** {@code --verify}: check the spec's invariants for every table; change nothing. */
    VERIFY,
    /** {@code --restore=<manifest>}: migrate, load one archive back, exit. */
    RESTORE,
    /** {@code --finish-conversion}: drop the plain table an online conversion kept for a rollback, exit. */
    FINISH_CONVERSION,
    /** {@code --rollback-conversion}: abandon an online conversion, or swap the plain table back after its cut-over, exit. */
    ROLLBACK_CONVERSION,
    /** {@code --convert}: start an online conversion again after an operator gave one up, carry it through its cut-over, exit. */
    CONVERT,
    /** {@code --list-archives[=<location>]}: list the archives a location holds, from their manifests; no database. */
    LIST_ARCHIVES;

    /**
     * The mode of a started application, from the options of its command line only, read exactly
     * as {@link CommandLine} reads them: an environment variable or a file never sets a mode, and
     * a relaxed spelling ({@code --dryrun}) is no mode (the command line refused it already).
     */
    public static RunMode of(Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            PropertySource<?> commandLine = configurable.getPropertySources()
                    .get(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME);
            if (commandLine instanceof EnumerablePropertySource<?> options) {
                return of(List.of(options.getPropertyNames()));
            }
        }
        return DAEMON;
    }

    /** The same decision from the raw command line; refuses one that is not valid. */
    public static RunMode of(String... args) {
        return CommandLine.parse(args).mode();
    }

    /** The one decision: the mode named by these option names (a valid command line names one at most). */
    static RunMode of(Collection<String> options) {
        if (options.contains("list-archives")) {
            return LIST_ARCHIVES;
        }
        if (options.contains("restore")) {
            return RESTORE;
        }
        if (options.contains("finish-conversion")) {
            return FINISH_CONVERSION;
        }
        if (options.contains("rollback-conversion")) {
            return ROLLBACK_CONVERSION;
        }
        if (options.contains("convert")) {
            return CONVERT;
        }
        if (options.contains("dry-run")) {
            return DRY_RUN;
        }
        if (options.contains("verify")) {
            return VERIFY;
        }
        return options.contains("once") ? ONCE : DAEMON;
    }

    /** Whether this mode may change the database, and so migrates it first. */
    public boolean changesDatabase() {
        return this == DAEMON || this == ONCE || this == RESTORE || this == FINISH_CONVERSION || this == ROLLBACK_CONVERSION
                || this == CONVERT;
    }

    /** Whether this mode connects to the database at all: every mode but {@link #LIST_ARCHIVES}. */
    public boolean needsDatabase() {
        return this != LIST_ARCHIVES;
    }

    /** Whether this mode maintains the configured tables, which must then be fit for it. */
    public boolean maintainsTables() {
        return this == DAEMON || this == ONCE;
    }
}
