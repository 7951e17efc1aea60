package io.partwarden.plan;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;

/**
 * Complete a retirement an earlier pass left half-way: a detach still pending (a timeout or a
 * crash interrupted {@code DETACH ... CONCURRENTLY}) is finalized, then the table is dropped; a
 * table already detached is dropped.
 */
public record FinishRetirement(TableName table, Partition partition, OnRetire then) implements PartitionAction {

    @Override
    public String describe() {
        return (partition.detachPending() ? "finalize the pending detach of " : "finish retiring detached ")
                + partition.schema() + "." + partition.name() + disposal(then, partition);
    }

    static String disposal(OnRetire then, Partition partition) {
        return switch (then) {
            case DROP -> ", then drop it";
            case DETACH -> ", then keep it, renamed " + keptName(partition.name());
            case ARCHIVE -> ", then write it to an archive file, read the file back and drop it";
            case ARCHIVE_TABLE -> ", then move its rows to the archive table and drop it";
        };
    }

    /** The name a kept table gets, as partwarden.kept_name makes it: cut to leave room for the suffix. */
    static String keptName(String partition) {
        int room = 63 - "_detached".length();
        String kept = partition.codePointCount(0, partition.length()) > room
                ? partition.substring(0, partition.offsetByCodePoints(0, room)) : partition;
        return kept + "_detached";
    }

    @Override
    public String kind() {
        return kind(then);
    }

    /** {@code archived} when the rows are kept in an archive (a file or a table), else {@code retired}. */
    static String kind(OnRetire then) {
        return then == OnRetire.ARCHIVE || then == OnRetire.ARCHIVE_TABLE ? "archived" : "retired";
    }
}
