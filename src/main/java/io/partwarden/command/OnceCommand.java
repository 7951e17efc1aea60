package io.partwarden.command;

import io.partwarden.maintenance.PassReport;
import io.partwarden.maintenance.PassRunner;
import io.partwarden.maintenance.ConversionRunner;
import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * {@code --once}: the migration (done before this runs), an online conversion the migration left
 * carried through its cut-over (1 if it cannot be, saying why), one pass, then exit: 0 if every table
 * converged, or if another instance holds the lock for longer than {@code partwarden.lock.once-wait}
 * (another instance doing the work is not a failure); 1 if any action failed.
 */
@Component
@ConditionalOnRunMode(RunMode.ONCE)
public class OnceCommand implements ApplicationRunner, ExitCodeGenerator {

    private static final Logger log = LoggerFactory.getLogger(OnceCommand.class);

    private final PassRunner runner;
    private final ConversionRunner conversion;
    private final PartwardenProperties properties;
    private int exitCode;

    public OnceCommand(PassRunner runner, ConversionRunner conversion, PartwardenProperties properties) {
        this.runner = runner;
        this.conversion = conversion;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        Optional<String> notConverted = conversion.runToCutover();
        if (notConverted.isPresent()) {
            log.error("FAILED online conversion: {}", notConverted.get());
            exitCode = ExitCode.FAILED.code();
            return;
        }
        Optional<PassReport> ran = runner.runWaitingForLock(properties.lock().onceWait());
        if (ran.isEmpty()) {
            exitCode = ExitCode.OK.code();
            return;
        }
        PassReport report = ran.get();
        if (report.converged()) {
            log.info("Maintenance pass converged: {} actions in {} ms", report.outcomes().size(), report.took().toMillis());
            exitCode = ExitCode.OK.code();
        } else {
            report.failures().forEach(f -> log.error("FAILED {}: {}: {}", f.table(), f.action(), f.error()));
            log.error("Maintenance pass did not converge: {} of {} actions failed", report.failures().size(),
                    report.outcomes().size());
            exitCode = ExitCode.FAILED.code();
        }
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
