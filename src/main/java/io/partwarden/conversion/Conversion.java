package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import java.time.Instant;

/**
 * One row of {@code partwarden.conversion}: an online conversion and the committed state it has
 * reached. Every step reads it {@code FOR UPDATE} and works from it, so steps of two processes
 * never interleave and a crash resumes from the last commit.
 *
 * @param backfillTo the largest id when the capture began: rows up to it are copied by batches,
 *     later ones by replaying the change log; null until read
 * @param copiedThrough ids up to here are copied; null with {@code backfillTo}
 */
public record Conversion(
        long id,
        String sourceSchema,
        String sourceName,
        long sourceOid,
        String sourceOwner,
        String keyColumn,
        String idColumn,
        Long stagedOid,
        ConversionPhase phase,
        Long backfillTo,
        Long copiedThrough,
        long rowsCopied,
        Long rowsEstimated,
        String blocked,
        long cutoverAttempts,
        Instant firstCutoverAttemptAt,
        Instant startedAt,
        Instant cutoverAt,
        Instant finishAfter) {

    /** The plain table under its name before the cut-over. */
    public String source() {
        return SqlIdentifier.qualified(sourceSchema, sourceName);
    }

    /** The partitioned table while it is built: same name, in schema partwarden. */
    public String staged() {
        return SqlIdentifier.qualified(ConversionRecords.STAGING_SCHEMA, sourceName);
    }

    /** The plain table's name after the cut-over, kept until the conversion is finished. */
    public String keptName() {
        return sourceName + "_unpartitioned";
    }

    public String kept() {
        return SqlIdentifier.qualified(sourceSchema, keptName());
    }

    public String label() {
        return sourceSchema + "." + sourceName;
    }

    /** Whether {@code id} lies in the range batches still have to copy. */
    boolean awaitsBackfill(long rowId) {
        return backfillTo != null && rowId > copiedThrough && rowId <= backfillTo;
    }

    /** Rows still to copy by the estimate, for progress; null before it is known. */
    public Long rowsLeft() {
        return rowsEstimated == null ? null : Math.max(0, rowsEstimated - rowsCopied);
    }
}
