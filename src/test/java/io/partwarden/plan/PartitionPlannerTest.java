package io.partwarden.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.config.PartwardenProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionPlannerTest {

    static final TableName EVENTS = new TableName("public", "workflow_events");

    static PartwardenProperties.Table premake(int months) {
        return new PartwardenProperties.Table("workflow_events", months, Duration.ofMillis(500), 5);
    }

    static Partition month(String name, YearMonth month) {
        return new Partition(name, PartitionPlanner.monthBounds(month), false, false);
    }

    static List<String> names(List<PartitionAction> actions) {
        return actions.stream().map(a -> ((CreatePartition) a).name()).toList();
    }

    @Test
    void anEmptyTableGetsTheCurrentMonthAndPremakeMonthsAhead() {
        List<PartitionAction> actions = PartitionPlanner.plan(premake(3), new TableSnapshot(EVENTS, List.of()),
                Instant.parse("2026-11-24T04:55:00Z"));
        assertThat(names(actions)).containsExactly("workflow_events_y2026m11", "workflow_events_y2026m12",
                "workflow_events_y2027m01", "workflow_events_y2027m02");
        assertThat(((CreatePartition) actions.get(1)).bounds()).isEqualTo(new PartitionBounds(
                Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")));
    }

    @Test
    void monthsThatExistAreLeftAlone() {
        TableSnapshot snapshot = new TableSnapshot(EVENTS, List.of(
                month("workflow_events_y2026m11", YearMonth.of(2026, 11)),
                month("workflow_events_y2027m01", YearMonth.of(2027, 1))));
        assertThat(names(PartitionPlanner.plan(premake(2), snapshot, Instant.parse("2026-11-30T23:59:59Z"))))
                .containsExactly("workflow_events_y2026m12");
    }

    @Test
    void theLastInstantOfAMonthInUtcStillBelongsToThatMonth() {
        assertThat(names(PartitionPlanner.plan(premake(0), new TableSnapshot(EVENTS, List.of()),
                Instant.parse("2024-02-29T23:59:59.999Z")))).containsExactly("workflow_events_y2024m02");
        assertThat(PartitionPlanner.monthBounds(YearMonth.of(2024, 2)).upper()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
    }

    @Test
    void aMonthOverlappedByAnotherPartitionIsNotPlanned() {
        Partition quarter = new Partition("events_2026q4", new PartitionBounds(
                Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")), false, false);
        assertThat(names(PartitionPlanner.plan(premake(2), new TableSnapshot(EVENTS, List.of(quarter)),
                Instant.parse("2026-11-24T00:00:00Z")))).containsExactly("workflow_events_y2027m01");
    }

    @Test
    void aDefaultPartitionDoesNotCountAsCoverage() {
        Partition defaultPartition = new Partition("workflow_events_default", null, true, false);
        assertThat(names(PartitionPlanner.plan(premake(0), new TableSnapshot(EVENTS, List.of(defaultPartition)),
                Instant.parse("2026-11-24T00:00:00Z")))).containsExactly("workflow_events_y2026m11");
    }
}
