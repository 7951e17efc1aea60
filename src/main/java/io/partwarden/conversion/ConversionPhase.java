package io.partwarden.conversion;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Where an online conversion stands, as {@code partwarden.conversion.phase} spells it (the name in
 * lower case). Each phase's work is done by short transactions that end by moving to the next.
 */
public enum ConversionPhase {
    /** Recorded; the one read of the table (NULL and infinite keys, oldest and newest) is next. */
    PREPARING,
    /** The partitioned table is made beside the plain one; its partitions, then its foreign keys. */
    STAGING,
    /** Writes are captured; batches copy the rows that existed when the capture began. */
    BACKFILLING,
    /** Every such row is copied; captured changes are applied until few wait, then the cut-over. */
    CATCHING_UP,
    /** Swapped: the partitioned table has the name; the plain one is kept, current, for a rollback. */
    CONVERTED,
    /** The kept plain table is dropped. */
    FINISHED,
    /** Swapped back after the cut-over. */
    ROLLED_BACK,
    /** Given up before the cut-over; the plain table was never replaced. */
    ABANDONED;

    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ConversionPhase of(String sql) {
        return Arrays.stream(values()).filter(p -> p.sql().equals(sql)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown conversion phase '" + sql + "'"));
    }

    /** Still holds the plain table's name: before the cut-over. */
    public boolean beforeCutover() {
        return this == PREPARING || this == STAGING || this == BACKFILLING || this == CATCHING_UP;
    }

    /** Ended by the operator's --rollback-conversion: the table is not converted again on its own, only by --convert. */
    public boolean givenUp() {
        return this == ROLLED_BACK || this == ABANDONED;
    }

    public boolean ended() {
        return this == FINISHED || this == ROLLED_BACK || this == ABANDONED;
    }

    /** The phases this one may move to. */
    public Set<ConversionPhase> next() {
        return switch (this) {
            case PREPARING -> Set.of(STAGING, ABANDONED);
            case STAGING -> Set.of(BACKFILLING, ABANDONED);
            case BACKFILLING -> Set.of(CATCHING_UP, ABANDONED);
            case CATCHING_UP -> Set.of(CONVERTED, BACKFILLING, ABANDONED);
            case CONVERTED -> Set.of(FINISHED, ROLLED_BACK);
            case FINISHED, ROLLED_BACK, ABANDONED -> Set.of();
        };
    }
}
