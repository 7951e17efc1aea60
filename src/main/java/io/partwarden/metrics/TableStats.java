package io.partwarden.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one statistics read found of a table: its partitions with sizes and rows, or why the
 * catalog could not be read. Metrics and health both read these.
 *
 * @param table the table as configured
 * @param partitions empty when the read failed
 * @param keptTables tables its retirements detached and kept ({@code on-retire: detach}) that still exist
 * @param retirementsUnderWay retirements begun and not finished: detached tables not yet dropped,
 *     archived or kept, which the next pass resumes
 * @param error why the read failed; null when it succeeded
 * @param readAt when the read was made
 */
public record TableStats(String table, List<PartitionStats> partitions, long keptTables, long retirementsUnderWay,
                         String error, Instant readAt) {

    public TableStats {
        partitions = List.copyOf(partitions);
    }

    public static TableStats failed(String table, String error, Instant at) {
        return new TableStats(table, List.of(), 0, 0, error, at);
    }

    public boolean catalogUp() {
        return error == null;
    }

    public List<PartitionStats> ranged() {
        return partitions.stream().filter(p -> !p.isDefault()).toList();
    }

    /** The end of the newest partition: how far ahead rows have somewhere to go. */
    public Optional<Instant> coveredUntil() {
        return ranged().stream().map(PartitionStats::upper).max(Instant::compareTo);
    }

    public Optional<Instant> oldestStart() {
        return ranged().stream().map(PartitionStats::lower).min(Instant::compareTo);
    }

    /** Time from {@code now} to the end of the newest partition; negative once it is past. */
    public Duration runway(Instant now) {
        return coveredUntil().map(until -> Duration.between(now, until)).orElse(Duration.ZERO);
    }

    /** Partitions that begin after {@code now}. */
    public long partitionsAhead(Instant now) {
        return ranged().stream().filter(p -> p.lower().isAfter(now)).count();
    }

    public long defaultPartitionRows() {
        return partitions.stream().filter(PartitionStats::isDefault).mapToLong(PartitionStats::rows).sum();
    }
}
