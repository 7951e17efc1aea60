package io.partwarden.plan;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.config.Interval;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;

/**
 * Where intervals begin in a time zone, and what the partition of each is called. Intervals
 * begin at local midnight (of the day, the Monday, the 1st of the month, quarter or year), so a
 * day may last 23 or 25 hours where the clocks change, and boundaries never depend on the
 * session's TimeZone or on the hour the pass runs. Names follow the spec's
 * {@code {table}_yYYYYmMM}: {@code _y2026m11d24}, {@code _y2026w48} (ISO week), {@code _y2026m11},
 * {@code _y2026q4}, {@code _y2026}.
 */
public record IntervalCalendar(Interval interval, ZoneId zone) {

    /** The first day of the interval holding {@code instant}. */
    public LocalDate start(Instant instant) {
        LocalDate day = instant.atZone(zone).toLocalDate();
        return switch (interval) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
            case QUARTER -> day.withMonth((day.getMonthValue() - 1) / 3 * 3 + 1).withDayOfMonth(1);
            case YEAR -> day.withDayOfYear(1);
        };
    }

    public LocalDate next(LocalDate start) {
        return switch (interval) {
            case DAY -> start.plusDays(1);
            case WEEK -> start.plusWeeks(1);
            case MONTH -> start.plusMonths(1);
            case QUARTER -> start.plusMonths(3);
            case YEAR -> start.plusYears(1);
        };
    }

    public PartitionBounds bounds(LocalDate start) {
        return new PartitionBounds(start.atStartOfDay(zone).toInstant(), next(start).atStartOfDay(zone).toInstant());
    }

    public String name(String table, LocalDate start) {
        return table + switch (interval) {
            case DAY -> String.format("_y%04dm%02dd%02d", start.getYear(), start.getMonthValue(), start.getDayOfMonth());
            case WEEK -> String.format("_y%04dw%02d", start.get(IsoFields.WEEK_BASED_YEAR), start.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTH -> String.format("_y%04dm%02d", start.getYear(), start.getMonthValue());
            case QUARTER -> String.format("_y%04dq%d", start.getYear(), start.get(IsoFields.QUARTER_OF_YEAR));
            case YEAR -> String.format("_y%04d", start.getYear());
        };
    }
}
