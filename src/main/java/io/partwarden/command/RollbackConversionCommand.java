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

/** {@code --rollback-conversion}: gives up a conversion before its cut-over, or swaps the plain table back after it. */
@Component
@ConditionalOnRunMode(RunMode.ROLLBACK_CONVERSION)
class RollbackConversionCommand extends ConversionCommand {
    RollbackConversionCommand(ConversionDriver driver, PassLock lock) {
        super(driver, lock, RunMode.ROLLBACK_CONVERSION);
    }

    @Override
    String act() {
        return driver.rollback(latest().id());
    }
}
