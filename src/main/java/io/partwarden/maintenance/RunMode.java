package io.partwarden.maintenance;

import java.util.function.Predicate;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SimpleCommandLinePropertySource;

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
        return of(environment::containsProperty);
    }

    /** The same decision from the raw command line, before Spring has read it, read as Spring will read it. */
    public static RunMode of(String... args) {
        return of(new SimpleCommandLinePropertySource(args)::containsProperty);
    }

    private static RunMode of(Predicate<String> given) {
        if (given.test("restore")) {
            return RESTORE;
        }
        if (given.test("dry-run")) {
            return DRY_RUN;
        }
        if (given.test("verify")) {
            return VERIFY;
        }
        return given.test("once") ? ONCE : DAEMON;
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
