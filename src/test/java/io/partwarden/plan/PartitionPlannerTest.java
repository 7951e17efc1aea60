package io.partwarden.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.AccessDrift;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.config.Interval;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.partwarden.catalog.Distribution;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.ParameterizedTest;

/** The planner is a pure function: configuration, partitions and now in, actions out. */
class PartitionPlannerTest {

    static final TableName EVENTS = new TableName("public", "workflow_events");
    static final ZoneId UTC = ZoneId.of("UTC");
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static PartwardenProperties.Table config(Interval interval, int premake, Period retention, ZoneId zone) {
        return config(interval, premake, retention, zone, false);
    }

    static PartwardenProperties.Table config(Interval interval, int premake, Period retention, ZoneId zone,
                                             boolean defaultPartition) {
        return new PartwardenProperties.Table("workflow_events", "ts", interval, premake, retention, zone,
                Duration.ofMillis(300), Duration.ofMinutes(10), 5, OnRetire.DROP, null, defaultPartition);
    }

    static PartwardenProperties.Table monthly(int premake) {
        return config(Interval.MONTH, premake, null, UTC);
    }

    static Partition partition(String name, String lower, String upper) {
        return new Partition("public", name, new PartitionBounds(Instant.parse(lower), Instant.parse(upper)), false, false);
    }

    static TableSnapshot snapshot(Partition... partitions) {
        return new TableSnapshot(EVENTS, List.of(partitions));
    }

    static List<String> created(Plan plan) {
        return plan.actions().stream().filter(CreatePartition.class::isInstance)
                .map(a -> ((CreatePartition) a).name() + " " + ((CreatePartition) a).bounds()).toList();
    }

    static List<String> retired(Plan plan) {
        return plan.actions().stream().filter(RetirePartition.class::isInstance)
                .map(a -> ((RetirePartition) a).partition().name()).toList();
    }

    @Test
    void anEmptyTableGetsTheCurrentMonthAndPremakeMonthsAheadAcrossTheYearEnd() {
        Plan plan = PartitionPlanner.plan(monthly(3), snapshot(), Instant.parse("2026-11-24T04:55:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2026m11 [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)",
                "workflow_events_y2026m12 [2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z)",
                "workflow_events_y2027m01 [2027-01-01T00:00:00Z, 2027-02-01T00:00:00Z)",
                "workflow_events_y2027m02 [2027-02-01T00:00:00Z, 2027-03-01T00:00:00Z)");
    }

    @Test
    void monthsThatExistAreLeftAloneAndAGapBetweenThemIsFilled() {
        Plan plan = PartitionPlanner.plan(monthly(2), snapshot(
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                partition("workflow_events_y2027m01", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z")),
                Instant.parse("2026-11-30T23:59:59Z"));
        assertThat(created(plan)).containsExactly("workflow_events_y2026m12 [2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z)");
    }

    @Test
    void februaryOfALeapYearEndsOnThe29th() {
        Plan plan = PartitionPlanner.plan(config(Interval.DAY, 1, null, UTC), snapshot(), Instant.parse("2024-02-28T12:00:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2024m02d28 [2024-02-28T00:00:00Z, 2024-02-29T00:00:00Z)",
                "workflow_events_y2024m02d29 [2024-02-29T00:00:00Z, 2024-03-01T00:00:00Z)");
        assertThat(created(PartitionPlanner.plan(monthly(0), snapshot(), Instant.parse("2024-02-29T23:59:59.999Z"))))
                .containsExactly("workflow_events_y2024m02 [2024-02-01T00:00:00Z, 2024-03-01T00:00:00Z)");
    }

    @Test
    void weeksInParisBeginAtLocalMidnightOnMondaySoTheWeekWithTheClockChangeLasts167Hours() {
        Plan plan = PartitionPlanner.plan(config(Interval.WEEK, 1, null, PARIS), snapshot(), Instant.parse("2026-03-25T10:00:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2026w13 [2026-03-22T23:00:00Z, 2026-03-29T22:00:00Z)",
                "workflow_events_y2026w14 [2026-03-29T22:00:00Z, 2026-04-05T22:00:00Z)");
        CreatePartition week = (CreatePartition) plan.actions().get(0);
        assertThat(Duration.between(week.bounds().lower(), week.bounds().upper())).isEqualTo(Duration.ofHours(167));
    }

    @Test
    void theIsoWeekOfEarlyJanuaryCanBelongToTheYearBefore() {
        Plan plan = PartitionPlanner.plan(config(Interval.WEEK, 0, null, UTC), snapshot(), Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(created(plan)).containsExactly("workflow_events_y2026w53 [2026-12-28T00:00:00Z, 2027-01-04T00:00:00Z)");
    }

    @Test
    void quartersAndYearsWrapAtTheYearEnd() {
        assertThat(created(PartitionPlanner.plan(config(Interval.QUARTER, 1, null, UTC), snapshot(),
                Instant.parse("2026-11-24T00:00:00Z")))).containsExactly(
                "workflow_events_y2026q4 [2026-10-01T00:00:00Z, 2027-01-01T00:00:00Z)",
                "workflow_events_y2027q1 [2027-01-01T00:00:00Z, 2027-04-01T00:00:00Z)");
        assertThat(created(PartitionPlanner.plan(config(Interval.YEAR, 1, null, UTC), snapshot(),
                Instant.parse("2026-12-31T23:00:00Z")))).containsExactly(
                "workflow_events_y2026 [2026-01-01T00:00:00Z, 2027-01-01T00:00:00Z)",
                "workflow_events_y2027 [2027-01-01T00:00:00Z, 2028-01-01T00:00:00Z)");
    }

    @Test
    void theDayInTheZoneNotInUtcDecidesTheInterval() {
        // 23:30 UTC on the 31st is already the 1st in Paris
        assertThat(created(PartitionPlanner.plan(config(Interval.MONTH, 0, null, PARIS), snapshot(),
                Instant.parse("2026-12-31T23:30:00Z")))).containsExactly(
                "workflow_events_y2027m01 [2026-12-31T23:00:00Z, 2027-01-31T23:00:00Z)");
    }

    @Test
    void aForeignPartitionCoveringAnIntervalWholeIsEnoughAndTheRestOfOnePartlyCoveringAnIntervalIsFilled() {
        Plan plan = PartitionPlanner.plan(monthly(3), snapshot(
                partition("events_2026q4", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                partition("events_mid_jan", "2027-01-15T00:00:00Z", "2027-02-15T00:00:00Z")),
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2027m01 [2027-01-01T00:00:00Z, 2027-01-15T00:00:00Z)",
                "workflow_events_y2027m02 [2027-02-15T00:00:00Z, 2027-03-01T00:00:00Z)");
        assertThat(plan.notes()).hasSize(2).allSatisfy(note -> assertThat(note).startsWith("no partition covers"));
    }

    @Test
    void theDaysAHandMadePartitionLeftUncoveredGetAPartitionOfTheirOwnAndTheRestOfTheRunwayIsMade() {
        // the case: a hand-made [04-15, 05-15) left April 1-14 without a partition
        Plan plan = PartitionPlanner.plan(monthly(3), snapshot(
                partition("workflow_events_by_hand", "2026-04-15T00:00:00Z", "2026-05-15T00:00:00Z")),
                Instant.parse("2026-04-05T08:00:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2026m04 [2026-04-01T00:00:00Z, 2026-04-15T00:00:00Z)",
                "workflow_events_y2026m05 [2026-05-15T00:00:00Z, 2026-06-01T00:00:00Z)",
                "workflow_events_y2026m06 [2026-06-01T00:00:00Z, 2026-07-01T00:00:00Z)",
                "workflow_events_y2026m07 [2026-07-01T00:00:00Z, 2026-08-01T00:00:00Z)");
        assertThat(plan.uncovered()).isEmpty();
    }

    @Test
    void aFillWhoseIntervalNameIsTakenIsNamedForItsFirstDayThenNumbered() {
        Plan plan = PartitionPlanner.plan(monthly(0), snapshot(
                partition("workflow_events_y2026m04", "2026-04-15T00:00:00Z", "2026-04-20T00:00:00Z"),
                partition("workflow_events_y2026m04d01", "2026-04-25T00:00:00Z", "2026-04-28T00:00:00Z")),
                Instant.parse("2026-04-05T08:00:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2026m04d01_2 [2026-04-01T00:00:00Z, 2026-04-15T00:00:00Z)",
                "workflow_events_y2026m04d20 [2026-04-20T00:00:00Z, 2026-04-25T00:00:00Z)",
                "workflow_events_y2026m04d28 [2026-04-28T00:00:00Z, 2026-05-01T00:00:00Z)");
    }

    @Test
    void afterTheTimeZoneChangesFromUtcToBerlinTheUncoveredRestOfAMonthGetsAPartition() {
        // made in UTC up to July; the next month in Berlin is [07-31T22:00Z, 08-31T22:00Z), of which
        // the UTC July partition holds two hours and nothing holds the rest
        PartwardenProperties.Table berlin = config(Interval.MONTH, 3, null, ZoneId.of("Europe/Berlin"));
        TableSnapshot utcMonths = snapshot(
                partition("workflow_events_y2026m04", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"),
                partition("workflow_events_y2026m05", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z"),
                partition("workflow_events_y2026m06", "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),
                partition("workflow_events_y2026m07", "2026-07-01T00:00:00Z", "2026-08-01T00:00:00Z"));
        Instant mayInBerlin = Instant.parse("2026-05-01T10:00:00Z");
        assertThat(Coverage.missing(berlin, mayInBerlin, utcMonths.ranged().stream().map(Partition::bounds).toList()))
                .containsExactly(new PartitionBounds(Instant.parse("2026-08-01T00:00:00Z"), Instant.parse("2026-08-31T22:00:00Z")));

        Plan plan = PartitionPlanner.plan(berlin, utcMonths, mayInBerlin);

        assertThat(created(plan)).containsExactly("workflow_events_y2026m08 [2026-08-01T00:00:00Z, 2026-08-31T22:00:00Z)");
        assertThat(plan.uncovered()).isEmpty();
    }

    @Test
    void afterTheTimeZoneChangesTheHoursBeforeTheFirstUtcMonthGetAPartitionNamedForTheirDay() {
        // April in Berlin begins at 03-31T22:00Z, two hours before the UTC April partition
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 1, null, ZoneId.of("Europe/Berlin")), snapshot(
                partition("workflow_events_y2026m04", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"),
                partition("workflow_events_y2026m05", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z")),
                Instant.parse("2026-04-10T00:00:00Z"));
        assertThat(created(plan)).containsExactly(
                "workflow_events_y2026m04d01 [2026-03-31T22:00:00Z, 2026-04-01T00:00:00Z)");
    }

    @Test
    void aRangeHeldByAPendingDetachIsReportedUncoveredAndNotOverlapped() {
        Partition pending = new Partition("public", "workflow_events_y2026m12", new PartitionBounds(
                Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")), false, true);
        Plan plan = PartitionPlanner.plan(monthly(1), snapshot(
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), pending),
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(created(plan)).isEmpty();
        assertThat(plan.uncovered()).singleElement().satisfies(u -> {
            assertThat(u.range()).isEqualTo(pending.bounds());
            assertThat(u.why()).contains("workflow_events_y2026m12", "detach is pending");
        });
    }

    @Test
    void aPartitionWhoseAccessDiffersIsBroughtInLineAfterTheCreationsAndBeforeTheRetirements() {
        TableSnapshot drifted = new TableSnapshot(EVENTS, List.of(
                partition("workflow_events_y2024m01", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")), List.of(), List.of(), 150000,
                List.of(new AccessDrift("public", "workflow_events_y2026m11", "row level security off while the parent's is on")));
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 1, Period.ofMonths(12), UTC), drifted,
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(plan.actions()).extracting(PartitionAction::kind).containsExactly("created", "synced", "retired");
        assertThat(plan.actions().get(1)).isEqualTo(new SyncPartitionAccess(EVENTS, "public", "workflow_events_y2026m11",
                "row level security off while the parent's is on"));
    }

    @Test
    void underARetentionShorterThanAnIntervalNoPartitionIsMadeForDaysItWouldRetire() {
        // week of Monday 2026-11-23; a 2-day retention cuts off at Thursday 26th 00:00
        Plan plan = PartitionPlanner.plan(config(Interval.WEEK, 0, Period.ofDays(2), UTC), snapshot(
                partition("events_thursday_on", "2026-11-26T00:00:00Z", "2026-11-30T00:00:00Z")),
                Instant.parse("2026-11-28T00:00:00Z"));
        assertThat(created(plan)).isEmpty();
    }

    @Test
    void aDefaultPartitionDoesNotCountAsCoverage() {
        Partition defaultPartition = new Partition("public", "workflow_events_default", null, true, false);
        assertThat(created(PartitionPlanner.plan(monthly(0), new TableSnapshot(EVENTS, List.of(defaultPartition)),
                Instant.parse("2026-11-24T00:00:00Z")))).hasSize(1);
    }

    @Test
    void aConfiguredDefaultPartitionIsMadeFirstWhenMissingAndNeverOtherwise() {
        Instant now = Instant.parse("2026-11-24T00:00:00Z");
        assertThat(PartitionPlanner.plan(config(Interval.MONTH, 0, null, UTC, true), snapshot(), now).actions())
                .first().isEqualTo(new CreateDefaultPartition(EVENTS, "workflow_events_default"));
        assertThat(PartitionPlanner.plan(config(Interval.MONTH, 0, null, UTC, false), snapshot(), now).actions())
                .noneMatch(CreateDefaultPartition.class::isInstance);
    }

    @Test
    void withoutRetentionNothingIsEverRetired() {
        Plan plan = PartitionPlanner.plan(monthly(0), snapshot(
                partition("workflow_events_y2000m01", "2000-01-01T00:00:00Z", "2000-02-01T00:00:00Z")),
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(retired(plan)).isEmpty();
    }

    @Test
    void aRetentionOf90DaysOnADailyTableRetiresExactlyTheDaysWhollyBeforeTheCutoff() {
        Instant now = Instant.parse("2026-11-24T10:00:00Z"); // cutoff: 2026-08-26T10:00Z
        Plan plan = PartitionPlanner.plan(config(Interval.DAY, 0, Period.ofDays(90), UTC), snapshot(
                partition("workflow_events_y2026m08d24", "2026-08-24T00:00:00Z", "2026-08-25T00:00:00Z"),
                partition("workflow_events_y2026m08d25", "2026-08-25T00:00:00Z", "2026-08-26T00:00:00Z"),
                partition("workflow_events_y2026m08d26", "2026-08-26T00:00:00Z", "2026-08-27T00:00:00Z"),
                partition("workflow_events_y2026m11d24", "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z")), now);
        assertThat(retired(plan)).containsExactly("workflow_events_y2026m08d24", "workflow_events_y2026m08d25");
        assertThat(plan.actions()).allSatisfy(a -> assertThat(((RetirePartition) a).concurrently()).isTrue());
    }

    @Test
    void creationsComeBeforeRetirementsSoAFailedRetirementCannotHoldThemUp() {
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 1, Period.ofMonths(12), UTC), snapshot(
                partition("workflow_events_y2024m01", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")),
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(plan.actions()).extracting(PartitionAction::kind).containsExactly("created", "created", "retired");
    }

    @Test
    void withADefaultPartitionRetirementDetachesPlainlyAndThePlanSaysWhy() {
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 0, Period.ofMonths(1), UTC), new TableSnapshot(EVENTS, List.of(
                partition("workflow_events_y2026m01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
                new Partition("public", "workflow_events_default", null, true, false))),
                Instant.parse("2026-11-24T00:00:00Z"));
        RetirePartition retire = (RetirePartition) plan.actions().get(0);
        assertThat(retire.concurrently()).isFalse();
        assertThat(retire.describe()).contains("plain detach", "workflow_events_default");
        assertThat(plan.notes()).singleElement().asString().contains("DETACH CONCURRENTLY");
    }

    @ParameterizedTest
    @EnumSource(value = Distribution.class, names = {"CITUS_DISTRIBUTED", "CITUS_REFERENCE", "CITUS_LOCAL"})
    void onACitusTableRetirementDetachesPlainlyAndThePlanSaysWhatTheTableIs(Distribution citus) {
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 0, Period.ofMonths(1), UTC), new TableSnapshot(EVENTS, List.of(
                partition("workflow_events_y2026m01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")), List.of(), List.of(),
                150000, List.of(), citus), Instant.parse("2026-11-24T00:00:00Z"));

        RetirePartition retire = (RetirePartition) plan.actions().get(0);
        assertThat(retire.concurrently()).isFalse();
        assertThat(retire.describe()).contains("plain detach: Citus refuses DETACH CONCURRENTLY on " + citus.description());
        assertThat(plan.notes()).anySatisfy(note -> assertThat(note).contains("is " + citus.description()));
    }

    @Test
    void aTableOfThisServerIsRetiredConcurrentlyAndNoCitusIsMentioned() {
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 0, Period.ofMonths(1), UTC), new TableSnapshot(EVENTS, List.of(
                partition("workflow_events_y2026m01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")), List.of(), List.of(),
                150000, List.of(), Distribution.LOCAL), Instant.parse("2026-11-24T00:00:00Z"));

        assertThat(((RetirePartition) plan.actions().get(0)).concurrently()).isTrue();
        assertThat(plan.notes()).noneMatch(note -> note.contains("Citus"));
    }

    @Test
    void onPostgresql13RetirementDetachesPlainly() {
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 0, Period.ofMonths(1), UTC), new TableSnapshot(EVENTS, List.of(
                partition("workflow_events_y2026m01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")), List.of(), 130015),
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(((RetirePartition) plan.actions().get(0)).concurrently()).isFalse();
    }

    @Test
    void aPendingDetachIsFinishedAndNotRetiredAgain() {
        Partition pending = new Partition("public", "workflow_events_y2026m01", new PartitionBounds(
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z")), false, true);
        Plan plan = PartitionPlanner.plan(config(Interval.MONTH, 0, Period.ofMonths(1), UTC), snapshot(pending,
                partition("workflow_events_y2026m11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")),
                Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(plan.actions()).singleElement().isEqualTo(new FinishRetirement(EVENTS, pending, OnRetire.DROP));
    }
}
