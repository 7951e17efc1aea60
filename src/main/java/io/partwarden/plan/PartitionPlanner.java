package io.partwarden.plan;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.config.Interval;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides what a table needs: a pure function of its configuration, the partitions it has and
 * the time, so it is tested without a database.
 */
public final class PartitionPlanner {

    private PartitionPlanner() {
    }

    public static Plan plan(PartwardenProperties.Table config, TableSnapshot snapshot, Instant now) {
        IntervalCalendar calendar = new IntervalCalendar(config.interval(), config.timeZone());
        List<PartitionAction> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (snapshot.distribution().citus()) {
            notes.add(snapshot.table() + " is " + snapshot.distribution().description() + ": partitions are created as"
                    + " elsewhere (Citus distributes each as it is attached) and retired by a plain detach");
        }
        List<UncoveredRange> uncovered = new ArrayList<>();
        if (config.defaultPartition() && snapshot.defaultPartition().isEmpty()) {
            actions.add(new CreateDefaultPartition(snapshot.table(), snapshot.table().name() + "_default"));
        }
        planCoverage(config, snapshot, now, calendar, actions, notes, uncovered);
        snapshot.accessDrifts().forEach(drift -> actions.add(
                new SyncPartitionAccess(snapshot.table(), drift.schema(), drift.name(), drift.difference())));
        planRetirement(config, snapshot, now, actions, notes);
        return new Plan(snapshot.table(), actions, notes, uncovered);
    }

    /**
     * Every gap in the current interval and {@code premake} more gets a partition, none
     * overlapping another: each interval no partition touches gets its own, named by the spec's
     * scheme; the uncovered part of an interval that other partitions partly hold (a hand-made
     * partition, partitions made before the time zone changed) gets one for exactly that part,
     * named by {@link #fillName}. A range held by a partition whose detach is pending is refused to
     * rows and cannot be given another partition until the detach is finished: it is reported.
     */
    private static void planCoverage(PartwardenProperties.Table config, TableSnapshot snapshot, Instant now,
                                     IntervalCalendar calendar, List<PartitionAction> actions, List<String> notes,
                                     List<UncoveredRange> uncovered) {
        PartitionBounds wanted = Coverage.wanted(config, now);
        String table = snapshot.table().name();
        Set<String> taken = takenNames(snapshot);
        Instant cutoff = Coverage.retentionCutoff(config, now).orElse(Instant.MIN);
        List<PartitionBounds> attachedOrPending = snapshot.ranged().stream().map(Partition::bounds).toList();
        for (PartitionBounds gap : Coverage.gaps(wanted, attachedOrPending)) {
            for (LocalDate start = calendar.start(gap.lower()); ; start = calendar.next(start)) {
                PartitionBounds interval = calendar.bounds(start);
                if (!interval.lower().isBefore(gap.upper())) {
                    break;
                }
                PartitionBounds piece = new PartitionBounds(max(interval.lower(), gap.lower()), min(interval.upper(), gap.upper()));
                if (!piece.upper().isAfter(cutoff)) {
                    continue; // retired by the next pass: its rows are past the retention
                }
                String name = calendar.name(table, start);
                if (!piece.equals(interval) || taken.contains(name)) {
                    name = fillName(calendar, table, start, piece, taken);
                    notes.add("no partition covers " + piece + ", " + (piece.equals(interval) ? "all" : "part")
                            + " of the interval " + interval + ": made as " + name);
                }
                taken.add(name);
                actions.add(new CreatePartition(snapshot.table(), name, piece));
            }
        }
        snapshot.ranged().stream().filter(Partition::detachPending)
                .filter(p -> p.bounds().overlaps(wanted) && p.bounds().upper().isAfter(cutoff))
                .forEach(p -> uncovered.add(new UncoveredRange(
                        new PartitionBounds(max(p.bounds().lower(), wanted.lower()), min(p.bounds().upper(), wanted.upper())),
                        "held by " + p.schema() + "." + p.name() + ", whose detach is pending: rows there are refused, and"
                                + " no partition can be made for the range until the detach is finished")));
    }

    /**
     * The name of a partition covering {@code piece}, part of the interval beginning {@code start}
     * (or all of it, when the interval's own name is taken): the interval's name by the spec's
     * scheme if free ({@code _y2026m04}); else the name of the piece's first day in the table's
     * zone ({@code _y2026m04d01}); else that name with {@code _2}, {@code _3}, ... appended.
     */
    static String fillName(IntervalCalendar calendar, String table, LocalDate start, PartitionBounds piece, Set<String> taken) {
        String intervalName = calendar.name(table, start);
        if (!taken.contains(intervalName)) {
            return intervalName;
        }
        String dayName = new IntervalCalendar(Interval.DAY, calendar.zone()).name(table, piece.lower().atZone(calendar.zone()).toLocalDate());
        if (!taken.contains(dayName)) {
            return dayName;
        }
        for (int n = 2; ; n++) {
            if (!taken.contains(dayName + "_" + n)) {
                return dayName + "_" + n;
            }
        }
    }

    /** Names in the parent's schema that a new partition cannot have: its partitions' and its detached tables'. */
    private static Set<String> takenNames(TableSnapshot snapshot) {
        Set<String> taken = new HashSet<>();
        Stream.concat(snapshot.partitions().stream(), snapshot.detachedLeftovers().stream())
                .filter(p -> p.schema().equals(snapshot.table().schema())).forEach(p -> taken.add(p.name()));
        return taken;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Partitions whose whole range lies before now minus the retention, never the default one. */
    private static void planRetirement(PartwardenProperties.Table config, TableSnapshot snapshot, Instant now,
                                       List<PartitionAction> actions, List<String> notes) {
        // first: a retirement of a vanished table must not be mistaken for one of a table that took its name
        snapshot.vanishedRetirements().forEach(r -> actions.add(new CloseRetirement(snapshot.table(), r)));
        snapshot.partitions().stream().filter(Partition::detachPending)
                .forEach(p -> actions.add(new FinishRetirement(snapshot.table(), p, config.onRetire())));
        snapshot.detachedLeftovers().forEach(p -> actions.add(new FinishRetirement(snapshot.table(), p, config.onRetire())));
        if (config.retention() == null) {
            return;
        }
        Instant cutoff = Coverage.retentionCutoff(config, now).orElseThrow();
        String plainBecause = snapshot.defaultPartition().map(Partition::name)
                .or(() -> config.defaultPartition() ? Optional.of(snapshot.table().name() + "_default") : Optional.empty())
                .map(d -> "PostgreSQL refuses DETACH CONCURRENTLY while the table has the default partition " + d)
                .or(() -> snapshot.distribution().citus() ? Optional.of("Citus refuses DETACH CONCURRENTLY on "
                        + snapshot.distribution().description() + "; the lock timeout reaches its workers too") : Optional.empty())
                .orElse(snapshot.supportsConcurrentDetach() ? null : "the server is older than PostgreSQL 14");
        for (Partition partition : snapshot.ranged()) {
            if (!partition.detachPending() && !partition.bounds().upper().isAfter(cutoff)) {
                actions.add(new RetirePartition(snapshot.table(), partition, plainBecause == null,
                        plainBecause == null ? "older than " + Spelling.of(config.retention()) : plainBecause, config.onRetire()));
            }
        }
        if (plainBecause != null && actions.stream().anyMatch(RetirePartition.class::isInstance)) {
            notes.add("retirements detach plainly, under the lock timeout with retries: " + plainBecause);
        }
    }
}
