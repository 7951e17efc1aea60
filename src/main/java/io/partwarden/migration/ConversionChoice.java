package io.partwarden.migration;

import io.partwarden.config.ConversionMethod;
import io.partwarden.config.Spelling;
import java.util.Locale;

/**
 * How migration 3 converts a plain workflow_events: {@link ConversionMethod#IN_PLACE} (one
 * transaction holding the table) or {@link ConversionMethod#ONLINE} (the migration leaves it plain,
 * the service copies it beside the live table), with the reason in words for the log and the dry
 * run. {@code auto} is online when the estimate is strictly above {@code online-above}.
 *
 * @param method {@code IN_PLACE} or {@code ONLINE}, never {@code AUTO}
 * @param reason why, e.g. "auto: about 1,234,567 rows by the catalog's estimate, over
 *     partwarden.migration.online-above 100,000"
 */
public record ConversionChoice(ConversionMethod method, String reason) {

    static final String METHOD = "partwarden.migration.conversion";
    static final String THRESHOLD = "partwarden.migration.online-above";

    public ConversionChoice {
        if (method == ConversionMethod.AUTO) {
            throw new IllegalArgumentException("a choice is online or in-place, not auto");
        }
    }

    /** From the catalog's estimate of the table's rows (pg_class.reltuples). */
    public static ConversionChoice resolve(ConversionMethod configured, long estimatedRows, long onlineAbove) {
        return resolve(configured, RowEstimate.fromCatalog(estimatedRows), onlineAbove);
    }

    public static ConversionChoice resolve(ConversionMethod configured, RowEstimate estimate, long onlineAbove) {
        return switch (configured) {
            case ONLINE, IN_PLACE -> new ConversionChoice(configured, METHOD + "=" + Spelling.of(configured));
            case AUTO -> estimate.rows() > onlineAbove
                    ? new ConversionChoice(ConversionMethod.ONLINE, "auto: " + estimate.describe() + ", over " + THRESHOLD
                            + " " + number(onlineAbove))
                    : new ConversionChoice(ConversionMethod.IN_PLACE, "auto: " + estimate.describe() + ", not over " + THRESHOLD
                            + " " + number(onlineAbove));
        };
    }

    public boolean online() {
        return method == ConversionMethod.ONLINE;
    }

    static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
