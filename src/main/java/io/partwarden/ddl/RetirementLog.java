package io.partwarden.ddl;

import io.partwarden.archive.Manifest;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The state of every retirement, in {@code partwarden.retirement}: each step is recorded before
 * the next begins, so the next pass resumes an interrupted one where it stopped.
 */
@Component
public class RetirementLog {

    static final String BEGIN = """
            INSERT INTO partwarden.retirement
                   (parent_schema, parent_name, partition_schema, partition_name, lower_bound, upper_bound, state)
            VALUES (?, ?, ?, ?, ?, ?, 'detaching')
            ON CONFLICT (partition_schema, partition_name) WHERE state IN ('detaching', 'detached', 'archived', 'verified')
            DO NOTHING""";
    static final String UNDER_WAY_ENTRY = """
            SELECT id, state, archive_manifest, archive_sha256 FROM partwarden.retirement
             WHERE partition_schema = ? AND partition_name = ? AND partwarden.is_under_way(state)""";
    static final String ADVANCE = """
            UPDATE partwarden.retirement SET state = ?, kept_as = ?, updated_at = now()
             WHERE partition_schema = ? AND partition_name = ? AND state = ANY (?)""";
    static final String END = """
            UPDATE partwarden.retirement SET state = ?, kept_as = ?, updated_at = now()
             WHERE partition_schema = ? AND partition_name = ? AND partwarden.is_under_way(state)""";
    static final String ARCHIVED = """
            UPDATE partwarden.retirement
               SET state = 'archived', archive_manifest = ?, archive_rows = ?, archive_sha256 = ?, updated_at = now()
             WHERE partition_schema = ? AND partition_name = ? AND state = 'detached'""";

    /** A retirement under way, as recorded. */
    public record Entry(long id, String state, String archiveManifest, String archiveSha256) {
    }

    private final JdbcTemplate jdbc;

    public RetirementLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Notes that a retirement begins, unless one of this partition is already under way. */
    void begin(TableName table, Partition partition) {
        jdbc.update(BEGIN, table.schema(), table.name(), partition.schema(), partition.name(),
                SqlTime.sql(partition.bounds().lower()), SqlTime.sql(partition.bounds().upper()));
    }

    Optional<Entry> underWay(Partition partition) {
        return jdbc.query(UNDER_WAY_ENTRY, (row, n) -> new Entry(row.getLong(1), row.getString(2), row.getString(3),
                row.getString(4)), partition.schema(), partition.name()).stream().findFirst();
    }

    /** Moves the retirement to {@code state}, if it is in one of {@code from}. */
    int advance(Partition partition, String state, String keptAs, String... from) {
        return jdbc.update(ADVANCE, state, keptAs, partition.schema(), partition.name(), from);
    }

    /** The table is no longer a partition (from detaching, or again after a resumed detach). */
    void detached(Partition partition) {
        advance(partition, "detached", null, "detaching", "detached");
    }

    /**
     * Ends the retirement under way in {@code state} (dropped, kept), whichever state it was in:
     * a retirement begun under another on-retire ends recorded as it ended.
     */
    void end(Partition partition, String state, String keptAs) {
        jdbc.update(END, state, keptAs, partition.schema(), partition.name());
    }

    void archived(Partition partition, Path manifestPath, Manifest manifest) {
        // absolute: a later pass may run from another working directory
        jdbc.update(ARCHIVED, manifestPath.toAbsolutePath().toString(), manifest.rows(), manifest.fileSha256(), partition.schema(),
                partition.name());
    }
}
