package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A detach left pending names its detach-timeout as the configuration writes it. */
class DetachTimeoutMessageTest {

    @Test
    void theDetachTimeoutIsWrittenAsConfigured() {
        String message = new ConcurrentDetach.DetachLeftPending(TableName.parse("public.workflow_events"),
                new Partition("public", "workflow_events_y2024m01", null, false, true), Duration.ofMinutes(10)).getMessage();

        assertThat(message).contains("outlasted its detach-timeout of 10m;").doesNotContain("600000");
    }
}
