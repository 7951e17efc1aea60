package io.partwarden.command;

import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.RunMode;
import io.partwarden.conversion.Conversion;
import io.partwarden.conversion.ConversionDriver;
import io.partwarden.conversion.ConversionPhase;
import io.partwarden.conversion.ConversionRefused;
import io.partwarden.maintenance.ConversionRunner;
import io.partwarden.maintenance.PassLock;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** {@code --convert}: starts an online conversion again after a rollback and carries it through its cut-over. */
@Component
@ConditionalOnRunMode(RunMode.CONVERT)
class ConvertCommand extends ConversionCommand {
    private final ConversionRunner runner;

    ConvertCommand(ConversionDriver driver, PassLock lock, ConversionRunner runner) {
        super(driver, lock, RunMode.CONVERT);
        this.runner = runner;
    }

    @Override
    boolean holdsLock() {
        return false;
    }

    @Override
    String act() {
        Optional<String> notConverted = runner.runToCutover(true);
        if (notConverted.isPresent()) {
            throw new ConversionRefused(notConverted.get());
        }
        return "the online conversion of " + driver.eventsTable() + " is through its cut-over (or there was"
                + " no plain table to convert)";
    }
}
