package io.partwarden.config;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Period;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Values as the README and a configuration file write them ({@code 10m}, {@code 12m},
 * {@code archive-table}), for messages and logs: never {@code PT10M}, {@code 600000ms},
 * {@code P12M} or {@code ARCHIVE_TABLE}.
 */
public final class Spelling {

    /** Units a duration is written in, largest first, with their length in nanoseconds. */
    private static final String[] DURATION_UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};
    private static final long[] DURATION_NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L,
            1_000_000_000L, 1_000_000L, 1_000L, 1L};

    private Spelling() {
    }

    /** In the largest unit that holds it exactly, as Spring Boot reads it back: {@code 10m}, {@code 90s}, {@code 300ms}. */
    public static String of(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        BigInteger nanos = BigInteger.valueOf(duration.getSeconds()).multiply(BigInteger.valueOf(1_000_000_000L))
                .add(BigInteger.valueOf(duration.getNano()));
        int i = 0;
        while (nanos.mod(BigInteger.valueOf(DURATION_NANOS[i])).signum() != 0) {
            i++; // ends at ns at the latest
        }
        return nanos.divide(BigInteger.valueOf(DURATION_NANOS[i])) + DURATION_UNITS[i];
    }

    /** As {@code 12m}, {@code 90d}, {@code 1y}, {@code 1y6m}: Spring Boot's simple form, which it reads back. */
    public static String of(Period period) {
        if (period.isZero()) {
            return "0d";
        }
        StringBuilder text = new StringBuilder();
        if (period.getYears() != 0) {
            text.append(period.getYears()).append('y');
        }
        if (period.getMonths() != 0) {
            text.append(period.getMonths()).append('m');
        }
        if (period.getDays() != 0) {
            text.append(period.getDays()).append('d');
        }
        return text.toString();
    }

    /** In lower case with dashes: {@code archive-table}, {@code month}. */
    public static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every value of an enum as written: {@code day, week, month, quarter, year}. */
    public static String values(Class<? extends Enum<?>> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Spelling::of).toList();
        return String.join(", ", names);
    }

    /** The accepted ways of writing a period, for a message about one that is not valid. */
    public static final String PERIOD_FORMS = "12m (months), 90d (days), 2w (weeks), 1y (years), combined as 1y6m,"
            + " or ISO-8601 such as P1Y2M";

    /** The accepted ways of writing a duration. */
    public static final String DURATION_FORMS = "500ms, 30s, 10m, 1h, 2d, or ISO-8601 such as PT10M";
}
