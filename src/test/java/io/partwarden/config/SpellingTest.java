package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Period;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.convert.PeriodStyle;

/** Values in messages and logs are written as the README and a configuration file write them, and read back the same. */
class SpellingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"PT10M, 10m", "PT0.3S, 300ms", "PT2S, 2s", "PT90S, 90s", "PT1H, 1h", "PT48H, 2d", "PT0.0000015S, 1500ns",
            "PT0S, 0s", "PT-5S, -5s"})
    void aDurationIsWrittenInTheLargestUnitThatHoldsItExactly(Duration duration, String written) {
        assertThat(Spelling.of(duration)).isEqualTo(written);
        assertThat(DurationStyle.detectAndParse(written)).as("Spring Boot reads it back").isEqualTo(duration);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"P12M, 12m", "P90D, 90d", "P1Y, 1y", "P1Y6M, 1y6m", "P1Y2M3D, 1y2m3d", "P0D, 0d"})
    void aPeriodIsWrittenInSpringBootsSimpleForm(Period period, String written) {
        assertThat(Spelling.of(period)).isEqualTo(written);
        assertThat(PeriodStyle.detectAndParse(written)).as("Spring Boot reads it back").isEqualTo(period);
    }

    @Test
    void valuesAreWrittenInLowerCaseWithDashesNeverAsEnumNames() {
        assertThat(Spelling.of(OnRetire.ARCHIVE_TABLE)).isEqualTo("archive-table");
        assertThat(Spelling.values(OnRetire.class)).isEqualTo("drop, detach, archive, archive-table");
        assertThat(Spelling.values(Interval.class)).isEqualTo("day, week, month, quarter, year");
    }
}
