package io.partwarden.cli;

import org.springframework.boot.ExitCodeGenerator;

/**
 * Every exit code of the commands that run and exit, named once (the README's Modes table lists
 * them). 0, 1 and 2 keep the meanings they always had.
 */
public enum ExitCode {

    /** Done: every table converged, the check found nothing, the archive was restored. */
    OK(0),
    /** Ran, and something did not hold: an action failed, the check found a problem, a restore was refused. */
    FAILED(1),
    /** Not run as asked: an unknown option, an invalid configuration, a missing argument. */
    USAGE(2),
    /** The database could not be reached within the time allowed; nothing was done. */
    DATABASE_UNAVAILABLE(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The exit code of a start-up that failed: the one its exception (or a cause of it) carries as
     * an {@link ExitCodeGenerator}, e.g. {@link #USAGE} for an invalid configuration; else {@link #FAILED}.
     */
    public static int of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ExitCodeGenerator generator && generator.getExitCode() != 0) {
                return generator.getExitCode();
            }
        }
        return FAILED.code();
    }
}
