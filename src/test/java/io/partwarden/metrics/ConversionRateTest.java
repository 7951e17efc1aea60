package io.partwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.partwarden.conversion.ConversionPhase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copy's rate from successive reads of rows_copied; no database, only the values it would give. */
class ConversionRateTest {

    static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    static final String TABLE = "public.workflow_events";

    final ConversionRate rate = new ConversionRate();

    @Test
    void aFirstReadHasNoRateAndASecondOneMeasuresTheRowsCopiedBetweenThem() {
        assertThat(rate(1, 1_000, 0)).isNull();
        assertThat(rate(1, 4_000, 30)).isEqualTo(100.0);
    }

    @Test
    void readsMomentsApartAreMeasuredOverTheLastMinuteNotBetweenThemselves() {
        rate(1, 0, 0);
        rate(1, 6_000, 60);
        // a read right after the pass: no batch landed in these 100 ms
        assertThat(rate(1, 6_000, 60.1)).isCloseTo(100.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(rate(1, 12_000, 120)).isEqualTo(100.0);
    }

    @Test
    void aCopyThatStopsFallsToZeroWithinAMinute() {
        rate(1, 0, 0);
        rate(1, 6_000, 60);
        rate(1, 6_000, 90);
        assertThat(rate(1, 6_000, 121)).isZero();
    }

    @Test
    void anotherConversionOrACopyBegunAgainStartsAfresh() {
        rate(1, 0, 0);
        rate(1, 6_000, 60);
        assertThat(rate(2, 100, 70)).as("another conversion").isNull();
        assertThat(rate(2, 0, 80)).as("begun again after a TRUNCATE").isNull();
        assertThat(rate(2, 500, 85)).isEqualTo(100.0);
    }

    @Test
    void aFailedReadKeepsWhatEarlierReadsMeasuredAndTheCutOverEndsTheRate() {
        rate(1, 0, 0);
        assertThat(rate.withRate(TableStats.failed(TABLE, "connection refused", T0.plusSeconds(30))).conversion()).isNull();
        assertThat(rate(1, 6_000, 60)).isEqualTo(100.0);

        TableStats converted = rate.withRate(stats(progress(1, ConversionPhase.CONVERTED, 6_000), 70));
        assertThat(converted.conversion().rowsPerSecond()).isNull();
    }

    Double rate(long conversion, long rowsCopied, double atSecond) {
        return rate.withRate(stats(progress(conversion, ConversionPhase.BACKFILLING, rowsCopied), atSecond))
                .conversion().rowsPerSecond();
    }

    static TableStats stats(ConversionStats progress, double atSecond) {
        return new TableStats(TABLE, List.of(), 0, 0, null, T0.plusMillis(Math.round(atSecond * 1000)), progress);
    }

    static ConversionStats progress(long id, ConversionPhase phase, long rowsCopied) {
        return new ConversionStats(id, phase, rowsCopied, 1_000_000L, 0, null, null, null, 0, T0, null, null, T0,
                "public.workflow_events_unpartitioned", null);
    }
}
