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

/** {@code --finish-conversion}: drops the kept plain table of a converted table; no rollback after it. */
@Component
@ConditionalOnRunMode(RunMode.FINISH_CONVERSION)
class FinishConversionCommand extends ConversionCommand {
    FinishConversionCommand(ConversionDriver driver, PassLock lock) {
        super(driver, lock, RunMode.FINISH_CONVERSION);
    }

    @Override
    String act() {
        Conversion c = latest();
        if (c.phase() != ConversionPhase.CONVERTED) {
            throw new ConversionRefused("the latest conversion of " + c.label() + " is " + c.phase().sql()
                    + (c.phase().beforeCutover() ? ": it has not cut over yet (run --once to carry it through)"
                    : ": there is nothing left to finish"));
        }
        driver.finish(c.id(), true);
        return "finished the online conversion of " + c.label() + ": " + c.kept() + " dropped; it can no longer be"
                + " rolled back, and retention applies to the table again";
    }
}
