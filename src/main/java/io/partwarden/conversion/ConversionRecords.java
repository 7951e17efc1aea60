package io.partwarden.conversion;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/** Reads and opens rows of {@code partwarden.conversion}; each step writes its own transition. */
public final class ConversionRecords {

    /** Where the partitioned table is built: the service's own schema, so its names are free. */
    public static final String STAGING_SCHEMA = "partwarden";

    static final String COLUMNS = """
            id, source_schema, source_name, source_oid, source_owner, key_column, id_column, staged_oid, phase,
            backfill_to, copied_through, rows_copied, rows_estimated, blocked, cutover_attempts,
            first_cutover_attempt_at, started_at, cutover_at, finish_after""";

    static final String LATEST = "SELECT " + COLUMNS
            + " FROM partwarden.conversion WHERE source_schema = ? AND source_name = ? ORDER BY id DESC LIMIT 1";
    static final String BY_ID_FOR_UPDATE = "SELECT " + COLUMNS + " FROM partwarden.conversion WHERE id = ? FOR UPDATE";
    static final String BY_ID = "SELECT " + COLUMNS + " FROM partwarden.conversion WHERE id = ?";
    static final String UNDER_WAY = "SELECT " + COLUMNS
            + " FROM partwarden.conversion WHERE phase NOT IN ('finished', 'rolled_back', 'abandoned') ORDER BY id";
    static final String BEGIN = """
            INSERT INTO partwarden.conversion (source_schema, source_name, source_oid, source_owner, key_column, id_column,
                                               phase, rows_estimated)
            VALUES (?, ?, ?, ?, ?, ?, 'preparing', ?)
            ON CONFLICT (source_oid) WHERE phase NOT IN ('finished', 'rolled_back', 'abandoned') DO NOTHING""";
    static final String RECORD_ERROR = """
            UPDATE partwarden.conversion SET last_error = ?, last_error_at = now() WHERE id = ?""";
    static final String UNBLOCK = "UPDATE partwarden.conversion SET blocked = NULL WHERE id = ? AND blocked IS NOT NULL";
    static final String BLOCK = "UPDATE partwarden.conversion SET blocked = ?, updated_at = now() WHERE id = ?";

    private final JdbcTemplate jdbc;

    public ConversionRecords(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The latest conversion of the table named so (before or after its cut-over), if any. */
    public Optional<Conversion> latest(String schema, String name) {
        return jdbc.query(LATEST, MAPPER, schema, name).stream().findFirst();
    }

    static final String PLAIN = """
            SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = ? AND c.relname = ? AND c.relkind = 'r')""";

    /** Whether the conversion's table, by its name, is a plain table now. */
    public boolean isPlainTable(Conversion c) {
        return Boolean.TRUE.equals(jdbc.queryForObject(PLAIN, Boolean.class, c.sourceSchema(), c.sourceName()));
    }

    public List<Conversion> underWay() {
        return jdbc.query(UNDER_WAY, MAPPER);
    }

    public Conversion get(long id) {
        return jdbc.queryForObject(BY_ID, MAPPER, id);
    }

    /** Inside a transaction: the row, locked against every other step until it commits. */
    Conversion lock(long id) {
        return jdbc.queryForObject(BY_ID_FOR_UPDATE, MAPPER, id);
    }

    /** Records a conversion of {@code source}; none if one is under way for it already. */
    void begin(SourceTable source, long rowsEstimated) {
        jdbc.update(BEGIN, source.schema(), source.name(), source.oid(), source.owner(), source.keyColumn(),
                source.idColumn(), rowsEstimated);
    }

    /** A failure the next attempt may not meet again, kept for --verify and health. */
    void recordError(long id, String error) {
        jdbc.update(RECORD_ERROR, error, id);
    }

    /** A step went through: whatever blocked the conversion was mended. */
    void unblock(long id) {
        jdbc.update(UNBLOCK, id);
    }

    /** A failure no retry can mend: the conversion waits for the operator, saying why. */
    void block(long id, String why) {
        jdbc.update(BLOCK, why, id);
    }

    static final RowMapper<Conversion> MAPPER = (ResultSet rs, int row) -> new Conversion(
            rs.getLong("id"), rs.getString("source_schema"), rs.getString("source_name"), rs.getLong("source_oid"),
            rs.getString("source_owner"), rs.getString("key_column"), rs.getString("id_column"),
            (Long) rs.getObject("staged_oid", Long.class), ConversionPhase.of(rs.getString("phase")),
            (Long) rs.getObject("backfill_to", Long.class), (Long) rs.getObject("copied_through", Long.class),
            rs.getLong("rows_copied"), (Long) rs.getObject("rows_estimated", Long.class), rs.getString("blocked"),
            rs.getLong("cutover_attempts"), instant(rs, "first_cutover_attempt_at"), instant(rs, "started_at"),
            instant(rs, "cutover_at"), instant(rs, "finish_after"));

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
