package io.partwarden.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The configuration each table is maintained with, defaults filled in, one line per table, and
 * how the migration would convert a plain workflow_events, in the README's spelling: logged once at start-up (as HikariCP logs its pool's), so that what a pass
 * does can be read against what it was told.
 */
public final class EffectiveConfiguration {

    private EffectiveConfiguration() {
    }

    public static List<String> lines(PartwardenProperties properties) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < properties.tables().size(); i++) {
            lines.add("partwarden.tables[" + i + "]: " + describe(properties.tables().get(i), properties.archive()));
        }
        lines.add("partwarden.migration: " + describe(properties.migration()));
        return lines;
    }

    /** How a plain workflow_events would be converted; the online conversion's pace only where it may be online. */
    static String describe(PartwardenProperties.Migration migration) {
        StringBuilder line = new StringBuilder()
                .append("conversion=").append(Spelling.of(migration.conversion()));
        if (migration.conversion() == ConversionMethod.AUTO) {
            line.append(", online-above=").append(migration.onlineAbove());
        }
        line.append(", lock-timeout=").append(Spelling.of(migration.lockTimeout()))
                .append(", lock-attempts=").append(migration.lockAttempts());
        if (migration.conversion() != ConversionMethod.IN_PLACE) {
            PartwardenProperties.Online online = migration.online();
            line.append(", online.batch-rows=").append(online.batchRows())
                    .append(", online.batch-target=").append(Spelling.of(online.batchTarget()))
                    .append(", online.rows-per-second=").append(online.rowsPerSecond() == 0 ? "0 (no limit)" : online.rowsPerSecond())
                    .append(", online.max-replica-lag=").append(Spelling.of(online.maxReplicaLag()))
                    .append(", online.cutover-backlog=").append(online.cutoverBacklog())
                    .append(", online.cutover-hold=").append(Spelling.of(online.cutoverHold()))
                    .append(", online.cutover-timeout=").append(Spelling.of(online.cutoverTimeout()))
                    .append(", online.finish-after=").append(online.finishAfter().isZero() ? "0 (--finish-conversion only)"
                            : Spelling.of(online.finishAfter()));
        }
        return line.toString();
    }

    static String describe(PartwardenProperties.Table table, PartwardenProperties.Archive archive) {
        StringBuilder line = new StringBuilder()
                .append("name=").append(table.name())
                .append(", column=").append(table.column())
                .append(", interval=").append(Spelling.of(table.interval()))
                .append(", premake=").append(table.premake())
                .append(", retention=").append(table.retention() == null ? "none (nothing is removed)" : Spelling.of(table.retention()))
                .append(", on-retire=").append(Spelling.of(table.onRetire()))
                .append(", time-zone=").append(table.timeZone().getId())
                .append(", lock-timeout=").append(Spelling.of(table.lockTimeout()))
                .append(", max-attempts=").append(table.maxAttempts());
        if (table.retention() != null) {
            line.append(", detach-timeout=").append(Spelling.of(table.detachTimeout()));
        }
        switch (table.onRetire()) {
            case ARCHIVE -> line.append(archive.location() != null ? ", archive.location=" + archive.location()
                    : ", archive.directory=" + archive.directory());
            case ARCHIVE_TABLE -> line.append(", archive-table=").append(table.archiveTableOrDefault());
            default -> { }
        }
        line.append(", default-partition=").append(table.defaultPartition());
        return line.toString();
    }
}
