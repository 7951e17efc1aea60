package io.partwarden.command;

import io.partwarden.maintenance.PassLock;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.conversion.Conversion;
import io.partwarden.conversion.ConversionDriver;
import io.partwarden.conversion.ConversionPhase;
import io.partwarden.conversion.ConversionRefused;
import java.util.Optional;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;

/**
 * The operator's commands on an online conversion, each under the replicas' conversion lock (a
 * daemon driving the conversion pauses between slices, so the command waits at most a slice):
 * {@code --finish-conversion}, {@code --rollback-conversion}, {@code --convert}. Exit 0 when done,
 * 1 when refused or failed, saying why; a refusal changes nothing.
 */
abstract class ConversionCommand implements ApplicationRunner, ExitCodeGenerator {

    private static final Logger log = LoggerFactory.getLogger(ConversionCommand.class);

    protected final ConversionDriver driver;
    private final PassLock lock;
    private final RunMode mode;
    private int exitCode;

    ConversionCommand(ConversionDriver driver, PassLock lock, RunMode mode) {
        this.driver = driver;
        this.lock = lock;
        this.mode = mode;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!holdsLock()) {
            act(null);
            return;
        }
        Optional<SimpleLock> held = lock.awaitConversion(java.time.Duration.ofMinutes(2));
        if (held.isEmpty()) {
            fail("another instance still holds lock " + PassLock.CONVERSION + " after 2 minutes; nothing was changed");
            return;
        }
        act(held.get());
    }

    private void act(SimpleLock held) {
        try {
            String done = act();
            log.info("{}", done);
            exitCode = ExitCode.OK.code();
        } catch (ConversionRefused refused) {
            fail(refused.getMessage());
        } catch (RuntimeException e) {
            fail(e.getMessage());
        } finally {
            if (held != null) {
                held.unlock();
            }
        }
    }

    /** Whether the command holds the conversion lock throughout; one that drives slices takes it per slice. */
    boolean holdsLock() {
        return true;
    }

    /** What the command did, for the log; throws {@link ConversionRefused} when it may not. */
    abstract String act();

    Conversion latest() {
        return driver.latestOfEventsTable().orElseThrow(() -> new ConversionRefused(
                "no online conversion of " + driver.eventsTable() + " was ever recorded (partwarden.conversion is empty for it)"));
    }

    private void fail(String why) {
        log.error("FAILED --{}: {}", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), why);
        exitCode = ExitCode.FAILED.code();
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
