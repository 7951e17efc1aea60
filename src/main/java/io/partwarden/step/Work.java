package io.partwarden.step;

import java.util.List;

/**
 * A step that is not one SQL statement: a file written or read back, a concurrent detach with its
 * conditional {@code FINALIZE}, a state recorded. {@code printed} says what it reads and writes
 * and holds every statement it runs on a table; a step the dry run need not show prints nothing.
 */
public record Work(String what, List<String> printed, Runnable run) implements Step {

    public Work {
        printed = List.copyOf(printed);
    }

    /** A step with nothing to show (a failpoint between two steps, say). */
    public static Work unprinted(String what, Runnable run) {
        return new Work(what, List.of(), run);
    }
}
