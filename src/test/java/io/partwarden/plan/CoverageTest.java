package io.partwarden.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.config.Interval;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gaps are a pure function of a window and the ranges covering it. */
class CoverageTest {

    static PartitionBounds range(String lower, String upper) {
        return new PartitionBounds(Instant.parse(lower + "T00:00:00Z"), Instant.parse(upper + "T00:00:00Z"));
    }

    static final PartitionBounds APRIL_TO_JULY = range("2026-04-01", "2026-08-01");

    @Test
    void nothingCoveringLeavesTheWholeWindowOneGap() {
        assertThat(Coverage.gaps(APRIL_TO_JULY, List.of())).containsExactly(APRIL_TO_JULY);
    }

    @Test
    void adjacentRangesLeaveNoGapAndRangesOutsideTheWindowAreIgnored() {
        assertThat(Coverage.gaps(APRIL_TO_JULY, List.of(range("2026-06-01", "2026-09-01"), range("2026-03-01", "2026-04-01"),
                range("2026-04-01", "2026-06-01"), range("2027-01-01", "2027-02-01")))).isEmpty();
    }

    @Test
    void everyUncoveredRangeIsAGapWhateverTheOrderOfTheRanges() {
        assertThat(Coverage.gaps(APRIL_TO_JULY, List.of(range("2026-05-15", "2026-06-01"), range("2026-04-15", "2026-05-15"))))
                .containsExactly(range("2026-04-01", "2026-04-15"), range("2026-06-01", "2026-08-01"));
    }

    @Test
    void aRangeWithinAnotherChangesNothing() {
        assertThat(Coverage.gaps(APRIL_TO_JULY, List.of(range("2026-03-01", "2026-07-01"), range("2026-04-10", "2026-04-20"))))
                .containsExactly(range("2026-07-01", "2026-08-01"));
    }

    @Test
    void infiniteBoundsCoverEverythingBeforeOrAfter() {
        assertThat(Coverage.gaps(APRIL_TO_JULY, List.of(new PartitionBounds(Instant.MIN, Instant.parse("2026-05-01T00:00:00Z")),
                new PartitionBounds(Instant.parse("2026-06-01T00:00:00Z"), Instant.MAX))))
                .containsExactly(range("2026-05-01", "2026-06-01"));
    }

    @Test
    void theWantedRunwayRunsFromTheStartOfTheCurrentIntervalToTheEndOfThePremakeOne() {
        assertThat(Coverage.wanted(table(3, null), Instant.parse("2026-04-20T13:00:00Z"))).isEqualTo(APRIL_TO_JULY);
    }

    @Test
    void whatIsMissingLeavesOutThePartBeforeTheRetentionCutoff() {
        // cutoff: 2026-04-10; nothing covers April
        assertThat(Coverage.missing(table(0, Period.ofDays(10)), Instant.parse("2026-04-20T00:00:00Z"), List.of()))
                .containsExactly(range("2026-04-10", "2026-05-01"));
    }

    static PartwardenProperties.Table table(int premake, Period retention) {
        return new PartwardenProperties.Table("workflow_events", "ts", Interval.MONTH, premake, retention, ZoneId.of("UTC"),
                Duration.ofMillis(300), Duration.ofMinutes(10), 5, OnRetire.DROP, null, false);
    }
}
