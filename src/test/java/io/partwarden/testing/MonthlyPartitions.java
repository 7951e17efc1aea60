package io.partwarden.testing;

import java.time.YearMonth;

/** Names of the spec's monthly partitions, written out independently of the code under test. */
public final class MonthlyPartitions {

    private MonthlyPartitions() {
    }

    public static String name(YearMonth month) {
        return String.format("workflow_events_y%04dm%02d", month.getYear(), month.getMonthValue());
    }
}
