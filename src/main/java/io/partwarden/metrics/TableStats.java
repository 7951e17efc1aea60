package io.partwarden.metrics;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.Coverage;
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
 * @param conversion the table's latest online conversion, null when none ever ran (or the read failed)
 */
public record TableStats(String table, List<PartitionStats> partitions, long keptTables, long retirementsUnderWay,
                         String error, Instant readAt, ConversionStats conversion) {

    public TableStats {
        partitions = List.copyOf(partitions);
    }

    public TableStats(String table, List<PartitionStats> partitions, long keptTables, long retirementsUnderWay,
                      String error, Instant readAt) {
        this(table, partitions, keptTables, retirementsUnderWay, error, readAt, null);
    }

    public static TableStats failed(String table, String error, Instant at) {
        return new TableStats(table, List.of(), 0, 0, error, at);
    }

    public TableStats withConversion(ConversionStats progress) {
        return new TableStats(table, partitions, keptTables, retirementsUnderWay, error, readAt, progress);
    }

    /**
     * Still plain, converted online: it has no partitions to run out of until the cut-over, so
     * its runway and coverage say nothing (the conversion makes the months its rows need).
     */
    public boolean convertingOnline() {
        return conversion != null && conversion.phase().beforeCutover();
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

    /**
     * The ranges from the start of the current interval to the end of the newest partition (at
     * most {@code premake} intervals ahead) that no partition covers: holes inside the runway,
     * which the runway's length cannot show. The missing tail beyond the newest partition is the
     * runway's own concern: counted here, every table would show a gap from each interval
     * boundary until the next pass makes the newest interval.
     */
    public List<PartitionBounds> coverageGaps(PartwardenProperties.Table config, Instant now) {
        List<PartitionBounds> covering = ranged().stream().filter(p -> !p.detachPending())
                .map(p -> new PartitionBounds(p.lower(), p.upper())).toList();
        Instant until = covering.stream().map(PartitionBounds::upper).max(Instant::compareTo).orElse(Instant.MIN);
        return Coverage.missing(config, now, covering).stream().filter(gap -> gap.lower().isBefore(until)).toList();
    }

    /** {@link PartitionStats#UNKNOWN} when the default partition's rows could not be read. */
    public long defaultPartitionRows() {
        List<PartitionStats> defaults = partitions.stream().filter(PartitionStats::isDefault).toList();
        return defaults.stream().anyMatch(p -> p.rows() == PartitionStats.UNKNOWN) ? PartitionStats.UNKNOWN
                : defaults.stream().mapToLong(PartitionStats::rows).sum();
    }
}
