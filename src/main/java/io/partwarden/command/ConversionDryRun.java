package io.partwarden.command;

import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.conversion.Conversion;
import io.partwarden.conversion.ConversionPhase;
import io.partwarden.conversion.ConversionPlan;
import io.partwarden.conversion.ConversionProgress;
import io.partwarden.conversion.ConversionRecords;
import io.partwarden.conversion.ConversionRefused;
import io.partwarden.meshhook.MeshHookEvents;
import io.partwarden.migration.ConversionChoice;
import io.partwarden.migration.MigrationPreview;
import io.partwarden.migration.RowEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What {@code --dry-run} prints of the events table when an online conversion is to begin on it
 * (the migration left it plain) or is under way: the method and why, rows, size, the disk the
 * copy needs, the months it makes, the pace, and each phase's statements as {@link ConversionPlan}
 * has the engine's own builders write them. Reads the catalog only (and an index on ts or the
 * planner's statistics for the oldest and newest row), so it runs on a read-only database.
 */
@Component
public class ConversionDryRun {

    static final String STATE_INSTALLED = "SELECT to_regclass('partwarden.conversion') IS NOT NULL";
    static final String SIZES = """
            SELECT pg_size_pretty(pg_total_relation_size(?::oid)) AS size,
                   pg_size_pretty(round(pg_total_relation_size(?::oid) * ?::numeric)::bigint) AS copy""";
    static final String STAGED_SIZE = "SELECT pg_size_pretty(sum(pg_total_relation_size(p.partition))::bigint)"
            + " FROM partwarden.partitions(?::oid::regclass) p";

    /**
     * @param lines to print as they are: comments, and statements ending in {@code ;}
     * @param passSkipped the pass leaves the table to the conversion, so it has no plan of its own
     * @param refused the conversion cannot go on without the operator (exit 1)
     */
    public record Shown(List<String> lines, boolean passSkipped, boolean refused) {
    }

    private final JdbcTemplate jdbc;
    private final PartwardenProperties properties;
    private final MigrationPreview migration;

    public ConversionDryRun(JdbcTemplate jdbc, PartwardenProperties properties, MigrationPreview migration) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.migration = migration;
    }

    /** The conversion of {@code table}, if it is the events table and one is to begin or under way. */
    public Optional<Shown> show(TableName table) {
        TableName events = new TableName(properties.eventsSchema(), MeshHookEvents.TABLE);
        if (!table.equals(events) || !Boolean.TRUE.equals(jdbc.queryForObject(STATE_INSTALLED, Boolean.class))) {
            return Optional.empty();
        }
        Optional<Conversion> latest = new ConversionRecords(jdbc).latest(table.schema(), table.name());
        if (latest.isPresent() && !latest.get().phase().ended()) {
            return Optional.of(underWay(latest.get()));
        }
        Optional<Conversion> provisional;
        try {
            provisional = ConversionPlan.provisional(jdbc, table.schema(), table.name());
        } catch (ConversionRefused refused) {
            return Optional.of(new Shown(List.of("-- " + table + ": a plain table the online conversion refuses: "
                    + refused.getMessage()), true, true));
        }
        if (provisional.isEmpty()) {
            return Optional.empty(); // partitioned: the pass plans it
        }
        if (latest.isPresent() && latest.get().phase().givenUp()) {
            return Optional.of(new Shown(List.of("-- " + table + ": cannot plan: a plain table whose online conversion"
                    + " (conversion " + latest.get().id() + ") was given up by --rollback-conversion; it is not converted"
                    + " again on its own"), true, true));
        }
        return Optional.of(toBegin(provisional.get()));
    }

    private Shown toBegin(Conversion c) {
        List<String> lines = new ArrayList<>();
        PartwardenProperties.Migration settings = properties.migration();
        RowEstimate estimate = jdbc.execute((ConnectionCallback<RowEstimate>) connection ->
                RowEstimate.read(connection, c.sourceSchema(), c.sourceName(), settings.onlineAbove()));
        ConversionChoice choice = ConversionChoice.resolve(settings.conversion(), estimate, settings.onlineAbove());
        lines.add("-- " + c.label() + ": to be converted online by the service, beside the live table; the pass leaves it"
                + " alone until the cut-over (the conversion makes its partitions)");
        lines.add("--   method: online: the migration left it a plain table for the service to convert online; "
                + (choice.online() ? "" : "partwarden.migration.conversion would choose in-place today, but a plain table"
                        + " the migration left is converted online; ") + choice.reason());
        lines.add("--   rows: " + estimate.describe());
        lines.addAll(sizeLines(c));
        MigrationPreview.Ends ends = migration.ends(new TableName(c.sourceSchema(), c.sourceName()));
        List<String> months = ConversionPlan.monthsFor(jdbc, ends.oldest() == null ? null : ends.oldest().toString(),
                ends.newest() == null ? null : ends.newest().toString());
        lines.add("--   months: " + months(months) + (ends.oldest() == null
                ? " (the oldest row is not known without reading the table: no index on ts, no statistics; the preparing"
                        + " read finds it, and earlier months are made then)"
                : " (oldest row ts " + ends.oldest() + ", newest " + ends.newest() + ", " + ends.how()
                        + "; the preparing read finds the exact ones)"));
        lines.add(pace());
        Optional<String> refusal = ConversionPlan.catalogRefusal(jdbc, c);
        refusal.ifPresent(r -> lines.add("--   refuses, changing nothing: " + r));
        lines.add("--   the conversion's id below (in the capture function's name) is the one it gets if it begins next: "
                + c.id());
        phases(lines, c, months);
        return new Shown(lines, true, refusal.isPresent());
    }

    private Shown underWay(Conversion c) {
        List<String> lines = new ArrayList<>();
        boolean before = c.phase().beforeCutover();
        long waiting = ConversionProgress.backlog(jdbc, c);
        if (before) {
            lines.add("-- " + c.label() + ": being converted online (conversion " + c.id() + ", begun "
                    + ConversionProgress.at(c.startedAt()) + "): " + ConversionProgress.describe(c) + ", "
                    + number(waiting) + " changes waiting; the pass leaves it alone until the cut-over");
            lines.add("--   method: online (a conversion is under way, phase " + c.phase().sql() + ")");
        } else {
            lines.add("-- " + c.label() + ": " + ConversionProgress.afterCutover(c) + "; " + number(waiting)
                    + " changes to replay into it");
        }
        if (c.blocked() != null) {
            lines.add("--   blocked, waiting for the operator: " + c.blocked());
        }
        List<String> months = List.of();
        if (before) {
            lines.add("--   rows: " + (c.rowsEstimated() == null ? "not estimated" : "about " + number(c.rowsEstimated())
                    + " (the preparing read's count)") + "; " + number(c.rowsCopied()) + " copied");
            lines.addAll(sizeLines(c));
            if (c.phase() == ConversionPhase.PREPARING) {
                months = ConversionPlan.monthsFor(jdbc, null, null);
                lines.add("--   months: from the oldest row's month, which the preparing read finds, to at least "
                        + months.get(months.size() - 1));
            } else if (c.phase() == ConversionPhase.STAGING) {
                months = ConversionPlan.monthsRecorded(jdbc, c);
                lines.add("--   months: " + months(months) + " (from the oldest and newest rows the preparing read found)");
            } else {
                List<String> made = ConversionPlan.stagedPartitions(jdbc, c);
                lines.add("--   months: " + made.size() + " partitions made on " + c.staged()
                        + (made.isEmpty() ? "" : ", " + made.get(0) + " to " + made.get(made.size() - 1)));
            }
            lines.add(pace());
        }
        phases(lines, c, months);
        return new Shown(lines, before, c.blocked() != null);
    }

    private List<String> sizeLines(Conversion c) {
        var sizes = jdbc.queryForMap(SIZES, c.sourceOid(), c.sourceOid(), MigrationPreview.COPY_FACTOR);
        List<String> lines = new ArrayList<>();
        lines.add("--   size: " + sizes.get("size") + " (pg_total_relation_size: table, indexes and TOAST)"
                + (c.stagedOid() == null ? "" : "; the copy so far: "
                        + jdbc.queryForObject(STAGED_SIZE, String.class, c.stagedOid())));
        lines.add("--   disk: about " + sizes.get("copy") + " more for the copy (the size x " + MigrationPreview.COPY_FACTOR
                + "), plus about as much WAL until checkpoints recycle it; the old table is kept, for a rollback, until"
                + " --finish-conversion or partwarden.migration.online.finish-after");
        return lines;
    }

    private String pace() {
        PartwardenProperties.Migration settings = properties.migration();
        PartwardenProperties.Online online = settings.online();
        String prefix = "partwarden.migration.online.";
        return "--   pace: batches of " + prefix + "batch-rows " + number(online.batchRows()) + " rows to begin with, then"
                + " sized so that one takes " + prefix + "batch-target " + Spelling.of(online.batchTarget()) + "; "
                + prefix + "rows-per-second " + (online.rowsPerSecond() == 0 ? "0 (no limit)" : number(online.rowsPerSecond()))
                + "; " + prefix + "max-replica-lag " + (online.maxReplicaLag().isZero() ? "0 (standbys not waited for)"
                        : Spelling.of(online.maxReplicaLag()) + " (the copy pauses while a standby lags more)")
                + "; the cut-over once at most " + prefix + "cutover-backlog " + number(online.cutoverBacklog())
                + " changes wait, each lock waited for at most partwarden.migration.lock-timeout "
                + Spelling.of(settings.lockTimeout()) + " and held at most " + prefix + "cutover-hold "
                + Spelling.of(online.cutoverHold()) + "; --once gives up after " + prefix + "cutover-timeout "
                + Spelling.of(online.cutoverTimeout()) + " without one; the old table is dropped "
                + (online.finishAfter().isZero() ? "by --finish-conversion only (" + prefix + "finish-after 0)"
                        : prefix + "finish-after " + Spelling.of(online.finishAfter()) + " after the cut-over, or by"
                        + " --finish-conversion");
    }

    private void phases(List<String> lines, Conversion c, List<String> months) {
        List<ConversionPlan.Phase> phases = ConversionPlan.phases(jdbc, c, months, properties.migration().online());
        for (int i = 0; i < phases.size(); i++) {
            ConversionPlan.Phase phase = phases.get(i);
            lines.add("");
            lines.add("-- " + (i + 1) + ". " + phase.phase().sql() + (phase.done() ? " (done)" : "") + ": " + phase.does());
            lines.addAll(phase.lines());
        }
    }

    private static String months(List<String> months) {
        return months.size() + " monthly partitions, " + months.get(0) + " to " + months.get(months.size() - 1);
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
