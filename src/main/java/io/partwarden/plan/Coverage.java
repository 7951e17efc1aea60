package io.partwarden.plan;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.config.PartwardenProperties;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which time a table's partitions cover, and which they do not. A row whose key falls in a gap
 * has no partition: its insert fails (or lands in the default partition), whatever the runway.
 */
public final class Coverage {

    private Coverage() {
    }

    /**
     * The range the planner keeps covered: from the start of the interval holding {@code now} to
     * the end of the {@code premake}-th interval after it. It begins at the start of the current
     * interval, not at {@code now}: rows stamped earlier in the current interval (late events,
     * clients whose clocks lag) are still written, and the current interval is what the spec's
     * maintenance guarantees.
     */
    public static PartitionBounds wanted(PartwardenProperties.Table config, Instant now) {
        IntervalCalendar calendar = new IntervalCalendar(config.interval(), config.timeZone());
        LocalDate first = calendar.start(now);
        LocalDate last = first;
        for (int ahead = 0; ahead < config.premake(); ahead++) {
            last = calendar.next(last);
        }
        return new PartitionBounds(calendar.bounds(first).lower(), calendar.bounds(last).upper());
    }

    /**
     * Where retention begins: a partition wholly before it is retired. Under a retention shorter
     * than an interval it can lie inside the current interval; a gap before it is then nobody's
     * concern (its rows would be removed), and a partition made for it would be retired by the
     * next pass.
     */
    public static Optional<Instant> retentionCutoff(PartwardenProperties.Table config, Instant now) {
        return Optional.ofNullable(config.retention()).map(r -> now.atZone(config.timeZone()).minus(r).toInstant());
    }

    /**
     * The gaps of the wanted runway in {@code covering}, the part of each before the retention
     * cutoff left out: what health, metrics and {@code --verify} report.
     */
    public static List<PartitionBounds> missing(PartwardenProperties.Table config, Instant now,
                                                Collection<PartitionBounds> covering) {
        Instant cutoff = retentionCutoff(config, now).orElse(Instant.MIN);
        return gaps(wanted(config, now), covering).stream().filter(g -> g.upper().isAfter(cutoff))
                .map(g -> g.lower().isBefore(cutoff) ? new PartitionBounds(cutoff, g.upper()) : g).toList();
    }

    /** The parts of {@code window} that no range of {@code covering} overlaps, in order, each as wide as it is. */
    public static List<PartitionBounds> gaps(PartitionBounds window, Collection<PartitionBounds> covering) {
        List<PartitionBounds> sorted = covering.stream().filter(window::overlaps)
                .sorted(Comparator.comparing(PartitionBounds::lower)).toList();
        List<PartitionBounds> gaps = new ArrayList<>();
        Instant from = window.lower();
        for (PartitionBounds range : sorted) {
            if (range.lower().isAfter(from)) {
                gaps.add(new PartitionBounds(from, range.lower()));
            }
            if (range.upper().isAfter(from)) {
                from = range.upper();
            }
            if (!from.isBefore(window.upper())) {
                return gaps;
            }
        }
        gaps.add(new PartitionBounds(from, window.upper()));
        return gaps;
    }
}
