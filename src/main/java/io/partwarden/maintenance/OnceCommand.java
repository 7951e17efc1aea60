package io.partwarden.maintenance;

import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * {@code --once}: the migration (done before this runs), one pass, then exit: 0 only if every
 * table converged, 1 otherwise, with each failure listed.
 */
@Component
@ConditionalOnProperty("once")
public class OnceCommand implements ApplicationRunner, ExitCodeGenerator {

    private static final Logger log = LoggerFactory.getLogger(OnceCommand.class);

    private final MaintenancePass pass;
    private int exitCode;

    public OnceCommand(MaintenancePass pass, MigrateResult schemaMigrated) {
        this.pass = pass;
    }

    @Override
    public void run(ApplicationArguments args) {
        PassReport report = pass.run();
        if (report.converged()) {
            log.info("Maintenance pass converged: {} actions in {} ms", report.outcomes().size(), report.took().toMillis());
            exitCode = 0;
        } else {
            report.failures().forEach(f -> log.error("FAILED {}: {}: {}", f.table(), f.action(), f.error()));
            log.error("Maintenance pass did not converge: {} of {} actions failed; each failed action changed nothing",
                    report.failures().size(), report.outcomes().size());
            exitCode = 1;
        }
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
