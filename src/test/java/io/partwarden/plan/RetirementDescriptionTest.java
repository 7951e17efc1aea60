package io.partwarden.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a retirement says it will do names the very table it keeps, not a placeholder. */
class RetirementDescriptionTest {

    static final TableName TABLE = TableName.parse("public.workflow_events");

    static Partition partition(String name) {
        return new Partition("public", name, new PartitionBounds(Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-02-01T00:00:00Z")), false, false);
    }

    @Test
    void aKeptPartitionIsNamedAsItWillBeRenamed() {
        assertThat(new RetirePartition(TABLE, partition("workflow_events_y2024m01"), true, "older than 12m", OnRetire.DETACH)
                .describe()).endsWith(", then keep it, renamed workflow_events_y2024m01_detached").doesNotContain("{partition}");
        assertThat(new FinishRetirement(TABLE, partition("workflow_events_y2024m01"), OnRetire.DETACH).describe())
                .isEqualTo("finish retiring detached public.workflow_events_y2024m01, then keep it, renamed"
                        + " workflow_events_y2024m01_detached");
    }

    @Test
    void aLongNameIsCutAsTheDatabaseCutsItToLeaveRoomForTheSuffix() {
        String name = "e".repeat(52) + "_y2024m01"; // 61 characters: 54 are kept, as partwarden.kept_name keeps them
        assertThat(new FinishRetirement(TABLE, partition(name), OnRetire.DETACH).describe())
                .endsWith("renamed " + name.substring(0, 54) + "_detached");
    }
}
