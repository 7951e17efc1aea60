package io.partwarden.conversion;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.springframework.jdbc.core.JdbcTemplate;

/** Where a conversion stands, in the words {@code --verify} and {@code --dry-run} print. */
public final class ConversionProgress {

    static final String BACKLOG = "SELECT count(*) FROM partwarden.conversion_change"
            + " WHERE conversion_id = ? AND direction = ?::\"char\"";

    private ConversionProgress() {
    }

    /**
     * The share of the rows copied, by the estimate: below 100 until every row is (the estimate
     * may be short), 100 from catching_up on; null where there is no estimate.
     */
    public static Integer percent(Conversion c) {
        if (!c.phase().beforeCutover() || c.phase() == ConversionPhase.CATCHING_UP) {
            return 100;
        }
        if (c.rowsEstimated() == null || c.rowsEstimated() <= 0) {
            return c.rowsCopied() == 0 ? 0 : null;
        }
        return (int) Math.min(99, c.rowsCopied() * 100 / c.rowsEstimated());
    }

    /** e.g. "backfilling, 4,300 rows copied of about 10,000, 43%". */
    public static String describe(Conversion c) {
        Integer percent = percent(c);
        return c.phase().sql() + ", " + number(c.rowsCopied()) + " rows copied"
                + (c.rowsEstimated() == null ? "" : " of about " + number(c.rowsEstimated()))
                + (percent == null ? "" : ", " + percent + "%");
    }

    /** What the verify prints of a converted table. */
    public static String afterCutover(Conversion c) {
        return "converted at " + at(c.cutoverAt()) + "; old table kept as " + c.sourceSchema() + "." + c.keptName()
                + " until --finish-conversion"
                + (c.finishAfter() == null ? "" : " (or finish-after " + at(c.finishAfter()) + ")")
                + "; retention waits for --finish-conversion";
    }

    /** Captured changes not applied yet: before the cut-over to the partitioned table, after it back to the plain one. */
    public static long backlog(JdbcTemplate jdbc, Conversion c) {
        String direction = c.phase().beforeCutover() ? ChangeCapture.FORWARD : ChangeCapture.REVERSE;
        Long waiting = jdbc.queryForObject(BACKLOG, Long.class, c.id(), direction);
        return waiting == null ? 0 : waiting;
    }

    public static String at(Instant instant) {
        return instant == null ? "(not recorded)" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
