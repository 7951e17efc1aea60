package io.partwarden.conversion;

import io.partwarden.catalog.NotValidConstraints;
import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code preparing} → {@code staging}: one read of the plain table (ACCESS SHARE: it blocks no
 * writer) for keys no partition can hold and for the oldest and newest, then the partitioned table
 * made beside it in schema partwarden, under the same name, with the same columns, defaults,
 * checks, primary key (with the partition key added) and indexes under their names. Row level
 * security, policies, grants and the owner come at the cut-over, from the plain table as it is then.
 */
final class Preparation {

    static final String SCAN = """
            SELECT count(*) AS rows, count(*) FILTER (WHERE %1$s IS NULL) AS nulls,
                   count(*) FILTER (WHERE NOT isfinite(%1$s)) AS infinite,
                   min(%1$s) FILTER (WHERE isfinite(%1$s))::text AS oldest,
                   max(%1$s) FILTER (WHERE isfinite(%1$s))::text AS newest
              FROM %2$s""";
    static final String PRIMARY_KEY_NAME = "SELECT conname FROM pg_constraint WHERE conrelid = ?::oid AND contype = 'p'";
    /** Indexes that back no constraint, as pg_get_indexdef prints them, with their comments. */
    static final String INDEXES = """
            SELECT pg_get_indexdef(ix.indexrelid) AS def, ic.relname AS name, obj_description(ic.oid, 'pg_class') AS note
              FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
             WHERE ix.indrelid = ?::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid)
             ORDER BY ic.relname""";
    static final String STAGED = """
            UPDATE partwarden.conversion SET phase = 'staging', staged_oid = ?::regclass::oid,
                   saved = saved || jsonb_build_object('oldest', ?::text, 'newest', ?::text), rows_estimated = ?,
                   updated_at = now()
             WHERE id = ? AND phase = 'preparing'""";

    private final JdbcTemplate jdbc;
    private final ConversionTransaction transaction;

    Preparation(JdbcTemplate jdbc, ConversionTransaction transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /** Installed with the migration's deferral (db/partwarden-functions/defer-conversion.sql): the catalog's refusals. */
    static final String HAS_CATALOG_CHECK =
            "SELECT to_regprocedure('partwarden.check_online_convertible(regclass, name)') IS NOT NULL";
    static final String CATALOG_CHECK = "SELECT partwarden.check_online_convertible(?::oid::regclass, ?::name)";

    void run(Conversion conversion) {
        try {
            if (Boolean.TRUE.equals(jdbc.queryForObject(HAS_CATALOG_CHECK, Boolean.class))) {
                jdbc.query(CATALOG_CHECK, rs -> { }, conversion.sourceOid(), conversion.keyColumn());
            }
        } catch (org.springframework.dao.DataAccessException refused) {
            throw new ConversionRefused(refused.getMostSpecificCause().getMessage());
        }
        for (String notValid : jdbc.queryForList(NotValidConstraints.REFUSAL, String.class, conversion.source())) {
            throw new ConversionRefused("cannot convert " + conversion.label() + ": " + notValid);
        }
        Map<String, Object> scan = transaction.run("read " + conversion.label(), conversion.id(), Duration.ZERO,
                c -> jdbc.queryForMap(scan(c)));
        long nulls = ((Number) scan.get("nulls")).longValue();
        long infinite = ((Number) scan.get("infinite")).longValue();
        if (nulls + infinite > 0) {
            String key = SqlIdentifier.quote(conversion.keyColumn());
            throw new ConversionRefused("cannot convert " + conversion.label() + ": " + nulls + " rows have no " + key
                    + " and " + infinite + " rows an infinite one, which no monthly partition can hold; SELECT * FROM "
                    + conversion.source() + " WHERE " + key + " IS NULL OR NOT isfinite(" + key + ") lists them: give them a"
                    + " real time or delete them, and the conversion goes on");
        }
        transaction.run("make " + conversion.staged(), conversion.id(), Duration.ZERO, c -> {
            if (c.phase() != ConversionPhase.PREPARING) {
                return null;
            }
            statements(jdbc, c).forEach(jdbc::execute);
            jdbc.update(STAGED, c.staged(), scan.get("oldest"), scan.get("newest"), scan.get("rows"), c.id());
            return null;
        });
        Failpoint.reach("conversion.staged");
    }

    /** The one read of the plain table before anything is made. */
    static String scan(Conversion c) {
        return SCAN.formatted(SqlIdentifier.quote(c.keyColumn()), c.source());
    }

    /** The statements that make the partitioned table, read from the plain table's catalog now. */
    static List<String> statements(JdbcTemplate jdbc, Conversion c) {
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TABLE " + c.staged() + " (LIKE " + c.source() + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
                + " INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS"
                + " INCLUDING STATISTICS) PARTITION BY RANGE (" + SqlIdentifier.quote(c.keyColumn()) + ")");
        String keyName = jdbc.queryForObject(PRIMARY_KEY_NAME, String.class, c.sourceOid());
        statements.add("ALTER TABLE " + c.staged() + " ADD CONSTRAINT " + SqlIdentifier.quote(keyName) + " PRIMARY KEY ("
                + SqlIdentifier.quote(c.idColumn()) + ", " + SqlIdentifier.quote(c.keyColumn()) + ")");
        // pg_get_indexdef names the table as format('%I.%I') does (this session's search_path holds no user schema)
        String on = " ON " + jdbc.queryForObject("SELECT format('%I.%I', ?::text, ?::text)", String.class,
                c.sourceSchema(), c.sourceName()) + " USING ";
        for (Map<String, Object> index : jdbc.queryForList(INDEXES, c.sourceOid())) {
            String def = (String) index.get("def");
            int at = def.indexOf(on);
            if (at < 0) {
                throw new IllegalStateException("cannot read the table out of the index definition " + def);
            }
            statements.add(def.substring(0, at) + " ON " + c.staged() + " USING " + def.substring(at + on.length()));
            if (index.get("note") != null) {
                statements.add("COMMENT ON INDEX " + SqlIdentifier.qualified(ConversionRecords.STAGING_SCHEMA,
                        (String) index.get("name")) + " IS " + literal((String) index.get("note")));
            }
        }
        return statements;
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
