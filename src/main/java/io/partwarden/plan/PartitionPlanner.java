package io.partwarden.plan;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.config.PartwardenProperties;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
        if (config.defaultPartition() && snapshot.defaultPartition().isEmpty()) {
            actions.add(new CreateDefaultPartition(snapshot.table(), snapshot.table().name() + "_default"));
        }
        planFuture(config, snapshot, now, calendar, actions, notes);
        planRetirement(config, snapshot, now, actions, notes);
        return new Plan(snapshot.table(), actions, notes);
    }

    /** The current interval and {@code premake} more: each one no partition overlaps. */
    private static void planFuture(PartwardenProperties.Table config, TableSnapshot snapshot, Instant now,
                                   IntervalCalendar calendar, List<PartitionAction> actions, List<String> notes) {
        LocalDate start = calendar.start(now);
        for (int ahead = 0; ahead <= config.premake(); ahead++, start = calendar.next(start)) {
            PartitionBounds bounds = calendar.bounds(start);
            Optional<Partition> overlapping = snapshot.ranged().stream()
                    .filter(p -> p.bounds().overlaps(bounds)).findFirst();
            if (overlapping.isEmpty()) {
                actions.add(new CreatePartition(snapshot.table(), calendar.name(snapshot.table().name(), start), bounds));
            } else if (!overlapping.get().bounds().equals(bounds)) {
                Partition other = overlapping.get();
                if (!other.bounds().lower().isAfter(bounds.lower()) && !other.bounds().upper().isBefore(bounds.upper())) {
                    continue; // a wider partition covers this interval whole
                }
                notes.add("range " + bounds + " is partly covered by " + other.schema() + "." + other.name() + " "
                        + other.bounds() + "; left alone: rows outside it have no partition until this is resolved");
            }
        }
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
        Instant cutoff = now.atZone(config.timeZone()).minus(config.retention()).toInstant();
        String plainBecause = snapshot.defaultPartition().map(Partition::name)
                .or(() -> config.defaultPartition() ? Optional.of(snapshot.table().name() + "_default") : Optional.empty())
                .map(d -> "PostgreSQL refuses DETACH CONCURRENTLY while the table has the default partition " + d)
                .orElse(snapshot.supportsConcurrentDetach() ? null : "the server is older than PostgreSQL 14");
        for (Partition partition : snapshot.ranged()) {
            if (!partition.detachPending() && !partition.bounds().upper().isAfter(cutoff)) {
                actions.add(new RetirePartition(snapshot.table(), partition, plainBecause == null,
                        plainBecause == null ? "older than " + config.retention() : plainBecause, config.onRetire()));
            }
        }
        if (plainBecause != null && actions.stream().anyMatch(RetirePartition.class::isInstance)) {
            notes.add("retirements detach plainly, under the lock timeout with retries: " + plainBecause);
        }
    }
}
