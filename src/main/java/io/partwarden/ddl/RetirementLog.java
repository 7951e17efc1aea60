package io.partwarden.ddl;

import io.partwarden.archive.Manifest;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Component;

/**
 * The state of every retirement, in {@code partwarden.retirement}: each step is recorded before
 * the next begins, so the next pass resumes an interrupted one where it stopped.
 */
@Component
public class RetirementLog {

    static final String BEGIN = """
            INSERT INTO partwarden.retirement
                   (parent_schema, parent_name, partition_schema, partition_name, lower_bound, upper_bound, state,
                    partition_oid, partition_columns)
            SELECT ?, ?, ?, ?, ?, ?, ?, t.oid, partwarden.column_signature(t.oid)
              FROM (SELECT to_regclass(format('%I.%I', ?, ?)) AS oid) t
            ON CONFLICT (partition_schema, partition_name) WHERE state IN (:under_way)
            DO NOTHING""".replace(":under_way", RetirementState.underWayList());
    static final String UNDER_WAY_ENTRY = """
            SELECT id, state, archive_manifest, archive_sha256 FROM partwarden.retirement
             WHERE partition_schema = ? AND partition_name = ? AND partwarden.is_under_way(state)""";
    static final String ADVANCE = """
            UPDATE partwarden.retirement SET state = ?, kept_as = ?, updated_at = now()
             WHERE partition_schema = ? AND partition_name = ? AND state = ANY (?)""";
    static final String END = """
            UPDATE partwarden.retirement SET state = ?, kept_as = ?, updated_at = now()
             WHERE partition_schema = ? AND partition_name = ? AND partwarden.is_under_way(state)""";
    static final String TARGET_PROBLEM = """
            SELECT partwarden.retirement_target_problem(id) FROM partwarden.retirement
             WHERE partition_schema = ? AND partition_name = ? AND partwarden.is_under_way(state)""";
    static final String CLOSE_GONE = """
            UPDATE partwarden.retirement SET state = ?, updated_at = now()
             WHERE id = ? AND partwarden.is_under_way(state)""";
    static final String ARCHIVED = """
            UPDATE partwarden.retirement
               SET state = ?, archive_manifest = ?, archive_rows = ?, archive_sha256 = ?, updated_at = now()
             WHERE partition_schema = ? AND partition_name = ? AND state = ?""";

    /** A retirement under way, as recorded. */
    public record Entry(long id, RetirementState state, String archiveManifest, String archiveSha256) {
    }

    private final JdbcTemplate jdbc;

    public RetirementLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Notes that a retirement begins, unless one of this partition is already under way. */
    void begin(TableName table, Partition partition) {
        jdbc.update(BEGIN, table.schema(), table.name(), partition.schema(), partition.name(),
                SqlTime.sql(partition.bounds().lower()), SqlTime.sql(partition.bounds().upper()),
                RetirementState.DETACHING.sql(), partition.schema(), partition.name());
    }

    /**
     * Fails unless the table now named as the retirement under way records is the very relation
     * it began on, with its columns and, while attached, its bounds: a retirement never acts on a
     * table that merely took the name (a restore from backup, a partition made again).
     */
    void requireSameTable(Partition partition) {
        jdbc.query(TARGET_PROBLEM, (RowCallbackHandler) row -> {
            String problem = row.getString(1);
            if (problem != null) {
                throw new RetirementTargetChanged(problem);
            }
        }, partition.schema(), partition.name());
    }

    /** Closes a retirement whose table is gone; nothing else is touched. */
    void closeGone(long retirementId) {
        jdbc.update(CLOSE_GONE, RetirementState.GONE.sql(), retirementId);
    }

    /** {@link #closeGone} as the dry run prints it. */
    static String closeGoneStatement(long retirementId) {
        return CLOSE_GONE.replaceFirst("\\?", "'" + RetirementState.GONE.sql() + "'").replace("?", Long.toString(retirementId))
                .replaceAll("\\s+", " ").strip();
    }

    /** The relation under a retirement's name is not the one it began on. */
    public static final class RetirementTargetChanged extends IllegalStateException {
        RetirementTargetChanged(String message) {
            super(message);
        }
    }

    Optional<Entry> underWay(Partition partition) {
        return jdbc.query(UNDER_WAY_ENTRY, (row, n) -> new Entry(row.getLong(1), RetirementState.of(row.getString(2)), row.getString(3),
                row.getString(4)), partition.schema(), partition.name()).stream().findFirst();
    }

    /** Moves the retirement to {@code state}, if it is in one of {@code from}: each must allow the move. */
    int advance(Partition partition, RetirementState state, RetirementState... from) {
        for (RetirementState before : from) {
            if (!before.next().contains(state)) {
                throw new IllegalArgumentException("a retirement does not move from " + before.sql() + " to " + state.sql());
            }
        }
        return jdbc.update(ADVANCE, state.sql(), null, partition.schema(), partition.name(),
                RetirementState.sql(java.util.EnumSet.copyOf(java.util.List.of(from))));
    }

    /** The table is no longer a partition (from detaching, or again after a resumed detach). */
    void detached(Partition partition) {
        advance(partition, RetirementState.DETACHED, RetirementState.DETACHING, RetirementState.DETACHED);
    }

    /**
     * Ends the retirement under way in {@code state} (dropped, kept), whichever state it was in:
     * a retirement begun under another on-retire ends recorded as it ended.
     */
    void end(Partition partition, RetirementState state, String keptAs) {
        if (state.underWay()) {
            throw new IllegalArgumentException("a retirement does not end " + state.sql());
        }
        jdbc.update(END, state.sql(), keptAs, partition.schema(), partition.name());
    }

    /** @param manifest where the manifest is, as the store locates it from any process (an absolute path, an s3:// URI) */
    void archived(Partition partition, String manifestAt, Manifest manifest) {
        jdbc.update(ARCHIVED, RetirementState.ARCHIVED.sql(), manifestAt, manifest.rows(),
                manifest.fileSha256(), partition.schema(), partition.name(), RetirementState.DETACHED.sql());
    }
}
