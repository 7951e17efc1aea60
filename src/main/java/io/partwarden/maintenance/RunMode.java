package io.partwarden.maintenance;

import org.springframework.core.env.Environment;

/** What this process was started to do, from its command line. */
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
    RESTORE;

    /** Spring turns {@code --once} into the property {@code once}. */
    public static RunMode of(Environment environment) {
        if (environment.containsProperty("restore")) {
            return RESTORE;
        }
        if (environment.containsProperty("dry-run")) {
            return DRY_RUN;
        }
        if (environment.containsProperty("verify")) {
            return VERIFY;
        }
        return environment.containsProperty("once") ? ONCE : DAEMON;
    }

    /** The same decision from the raw command line, before Spring has read it. */
    public static RunMode of(String... args) {
        java.util.List<String> flags = java.util.Arrays.asList(args);
        if (flags.stream().anyMatch(flag -> flag.equals("--restore") || flag.startsWith("--restore="))) {
            return RESTORE;
        }
        if (flags.contains("--dry-run")) {
            return DRY_RUN;
        }
        if (flags.contains("--verify")) {
            return VERIFY;
        }
        return flags.contains("--once") ? ONCE : DAEMON;
    }

    /** Whether this mode may change the database, and so migrates it first. */
    public boolean changesDatabase() {
        return this == DAEMON || this == ONCE || this == RESTORE;
    }

    /** Whether this mode maintains the configured tables, which must then be fit for it. */
    public boolean maintainsTables() {
        return this == DAEMON || this == ONCE;
    }
}
