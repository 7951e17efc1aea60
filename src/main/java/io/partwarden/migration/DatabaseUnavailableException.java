package io.partwarden.migration;

import io.partwarden.cli.ExitCode;
import java.time.Duration;
import org.springframework.boot.ExitCodeGenerator;

/**
 * The database did not accept a connection: nothing was done in it, no migration began. The
 * process exits {@link ExitCode#DATABASE_UNAVAILABLE}.
 */
public class DatabaseUnavailableException extends RuntimeException implements ExitCodeGenerator {

    private final DatabaseTarget target;
    private final String reason;

    public DatabaseUnavailableException(DatabaseTarget target, String reason, Throwable cause) {
        super("cannot connect to " + target + ": " + reason, cause);
        this.target = target;
        this.reason = reason;
    }

    private DatabaseUnavailableException(DatabaseUnavailableException last, Duration waited) {
        super("cannot connect to " + last.target + " (tried for " + waited.toSeconds()
                + " s, partwarden.startup.database-wait): " + last.reason, last.getCause());
        this.target = last.target;
        this.reason = last.reason;
    }

    /** This failure, as the last of the attempts made during {@code waited}. */
    public DatabaseUnavailableException afterWaiting(Duration waited) {
        return new DatabaseUnavailableException(this, waited);
    }

    public DatabaseTarget target() {
        return target;
    }

    /** The server's or the driver's own reason, e.g. {@code FATAL: database "meshhook" does not exist}. */
    public String reason() {
        return reason;
    }

    @Override
    public int getExitCode() {
        return ExitCode.DATABASE_UNAVAILABLE.code();
    }
}
