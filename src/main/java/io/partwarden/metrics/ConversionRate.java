package io.partwarden.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How fast an online conversion copies: the change of {@code rows_copied} between statistics
 * reads, over about the last {@link #WINDOW}. Reads come every refresh interval and after every
 * pass, so two may be milliseconds apart; measured over a window, the rate does not swing between
 * 0 and a burst as batches land. A stalled copy drops to 0 within the window.
 */
final class ConversionRate {

    static final Duration WINDOW = Duration.ofMinutes(1);

    private record Sample(long conversion, Instant at, long rowsCopied) {
    }

    private final Map<String, List<Sample>> samples = new HashMap<>();

    /** The read with its conversion's rate; refreshes may overlap (a pass's and the schedule's), hence synchronized. */
    synchronized TableStats withRate(TableStats stats) {
        ConversionStats c = stats.conversion();
        if (!stats.catalogUp()) {
            return stats; // nothing learnt: the next good read measures over the longer span
        }
        if (c == null || !c.phase().beforeCutover()) {
            samples.remove(stats.table()); // nothing is copied any more
            return stats;
        }
        List<Sample> kept = samples.computeIfAbsent(stats.table(), t -> new ArrayList<>());
        Sample now = new Sample(c.id(), stats.readAt(), c.rowsCopied());
        Sample last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
        if (last != null && (last.conversion() != now.conversion() || now.rowsCopied() < last.rowsCopied())) {
            kept.clear(); // another conversion, or the copy begun again after a TRUNCATE: earlier counts say nothing of it
            last = null;
        }
        if (last == null || now.at().isAfter(last.at())) {
            kept.add(now);
        }
        // the base is the newest sample at least WINDOW old; older ones are no longer needed
        Instant windowStart = now.at().minus(WINDOW);
        while (kept.size() > 2 && !kept.get(1).at().isAfter(windowStart)) {
            kept.remove(0);
        }
        Sample base = kept.get(0);
        Sample newest = kept.get(kept.size() - 1);
        if (base == newest) {
            return stats.withConversion(c.withRate(null)); // one read: no rate yet
        }
        double seconds = Duration.between(base.at(), newest.at()).toNanos() / 1e9;
        return stats.withConversion(c.withRate((newest.rowsCopied() - base.rowsCopied()) / seconds));
    }
}
