package io.partwarden.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.RunningDaemon;
import io.partwarden.testing.TestProperties;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.scheduling.support.CronExpression;

/** The daemon says when its next scheduled pass runs: when the schedule starts, and after every pass. */
@ExtendWith(OutputCaptureExtension.class)
class NextScheduledPassLogTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @Test
    void theNextScheduledPassIsLoggedAtStartAndAfterThePass(CapturedOutput output) throws InterruptedException {
        TestProperties.migrate(database.get());
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        String next = "Next scheduled maintenance pass at "
                + CronExpression.parse("0 30 3 * * *").next(ZonedDateTime.now(berlin)).toOffsetDateTime()
                + " (partwarden.schedule '0 30 3 * * *' in Europe/Berlin)";

        try (RunningDaemon daemon = RunningDaemon.on(database.get().url(), database.get().user(), database.get().password(),
                "--partwarden.tables[0].name=workflow_events", "--partwarden.schedule=0 30 3 * * *",
                "--partwarden.schedule-zone=Europe/Berlin")) {
            RunningDaemon.await("the start-up pass has run and the next one been logged after it", Duration.ofSeconds(60),
                    () -> output.getOut().contains("Maintenance pass: ")
                            && output.getOut().indexOf(next, output.getOut().indexOf("Maintenance pass: ")) > 0);
        }

        assertThat(output.getOut().split(java.util.regex.Pattern.quote(next), -1)).as("logged at start and after the pass")
                .hasSizeGreaterThanOrEqualTo(3);
    }
}
