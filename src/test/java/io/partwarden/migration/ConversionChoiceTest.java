package io.partwarden.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.config.ConversionMethod;
import org.junit.jupiter.api.Test;

/**
 * auto converts online only when the estimate is strictly above online-above; online and in-place
 * are taken as given, whatever the table's size. The reason says which and why, for the log and the
 * dry run.
 */
class ConversionChoiceTest {

    @Test
    void autoAboveTheThresholdIsOnlineSayingTheEstimateAndTheProperty() {
        ConversionChoice choice = ConversionChoice.resolve(ConversionMethod.AUTO, 1_234_567, 100_000);

        assertThat(choice.method()).isEqualTo(ConversionMethod.ONLINE);
        assertThat(choice.online()).isTrue();
        assertThat(choice.reason()).isEqualTo("auto: about 1,234,567 rows by the catalog's estimate,"
                + " over partwarden.migration.online-above 100,000");
    }

    @Test
    void autoAtTheThresholdIsInPlace() {
        ConversionChoice choice = ConversionChoice.resolve(ConversionMethod.AUTO, 100_000, 100_000);

        assertThat(choice.method()).isEqualTo(ConversionMethod.IN_PLACE);
        assertThat(choice.reason()).isEqualTo("auto: about 100,000 rows by the catalog's estimate,"
                + " not over partwarden.migration.online-above 100,000");
    }

    @Test
    void autoOneRowAboveTheThresholdIsOnline() {
        assertThat(ConversionChoice.resolve(ConversionMethod.AUTO, 100_001, 100_000).online()).isTrue();
    }

    @Test
    void autoBelowTheThresholdAndOnAnEmptyTableIsInPlace() {
        assertThat(ConversionChoice.resolve(ConversionMethod.AUTO, 10_000, 100_000).method()).isEqualTo(ConversionMethod.IN_PLACE);
        assertThat(ConversionChoice.resolve(ConversionMethod.AUTO, 0, 100_000).method()).isEqualTo(ConversionMethod.IN_PLACE);
    }

    @Test
    void autoWithOnlineAboveZeroConvertsAnyRowOnline() {
        assertThat(ConversionChoice.resolve(ConversionMethod.AUTO, 1, 0).online()).isTrue();
        assertThat(ConversionChoice.resolve(ConversionMethod.AUTO, 0, 0).online()).isFalse();
    }

    @Test
    void onlineIsOnlineWhateverTheSize() {
        ConversionChoice choice = ConversionChoice.resolve(ConversionMethod.ONLINE, 3, 100_000);

        assertThat(choice.method()).isEqualTo(ConversionMethod.ONLINE);
        assertThat(choice.reason()).isEqualTo("partwarden.migration.conversion=online");
    }

    @Test
    void inPlaceIsInPlaceWhateverTheSize() {
        ConversionChoice choice = ConversionChoice.resolve(ConversionMethod.IN_PLACE, 5_000_000_000L, 100_000);

        assertThat(choice.method()).isEqualTo(ConversionMethod.IN_PLACE);
        assertThat(choice.reason()).isEqualTo("partwarden.migration.conversion=in-place");
    }

    @Test
    void aTableNeverAnalyzedIsCountedUpToTheBoundAndTheReasonSaysSo() {
        ConversionChoice choice = ConversionChoice.resolve(ConversionMethod.AUTO, new RowEstimate(100_001, true, true), 100_000);

        assertThat(choice.online()).isTrue();
        assertThat(choice.reason()).isEqualTo("auto: at least 100,001 rows, counted no further (the catalog has no estimate:"
                + " the table was never analyzed), over partwarden.migration.online-above 100,000");
        assertThat(ConversionChoice.resolve(ConversionMethod.AUTO, new RowEstimate(42, true, false), 100_000).reason())
                .isEqualTo("auto: 42 rows, counted (the catalog has no estimate: the table was never analyzed),"
                        + " not over partwarden.migration.online-above 100,000");
    }

    @Test
    void aChoiceIsNeverAuto() {
        assertThatThrownBy(() -> new ConversionChoice(ConversionMethod.AUTO, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
