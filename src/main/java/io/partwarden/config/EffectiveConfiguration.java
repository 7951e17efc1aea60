package io.partwarden.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The configuration each table is maintained with, defaults filled in, one line per table, in the
 * README's spelling: logged once at start-up (as HikariCP logs its pool's), so that what a pass
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
        return lines;
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
            case ARCHIVE -> line.append(", archive.directory=").append(archive.directory());
            case ARCHIVE_TABLE -> line.append(", archive-table=").append(table.archiveTableOrDefault());
            default -> { }
        }
        line.append(", default-partition=").append(table.defaultPartition());
        return line.toString();
    }
}
