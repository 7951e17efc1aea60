package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code staging} → {@code backfilling}, each its own short transaction, each safe to run again:
 * the partitions the rows need (from the oldest row's month, two months back at the latest, to
 * three months ahead or the newest row's), then the foreign keys (SHARE ROW EXCLUSIVE on the
 * referenced table for milliseconds: the partitioned table is still empty), then the capture
 * triggers on the plain table, which commit with the move to {@code backfilling}.
 */
final class Staging {

    /** Months ahead of now, as migration 3 makes them; the pass then keeps the configured premake. */
    static final int AHEAD = 3;
    static final int BEHIND = 2;

    static final String MAKE_MONTH = "SELECT partwarden.create_month_partition(?::regclass, ?::timestamptz)";
    static final String SAVED_RANGE = "SELECT saved ->> 'oldest' AS oldest, saved ->> 'newest' AS newest"
            + " FROM partwarden.conversion WHERE id = ?";
    static final String MONTHS = """
            SELECT to_char(m, 'YYYY-MM') FROM generate_series(
                     partwarden.month_start(least(coalesce(?::timestamptz, now()), now() - make_interval(months => ?))),
                     greatest(partwarden.month_start(now()) + make_interval(months => ?),
                              partwarden.month_start(coalesce(?::timestamptz, now()))),
                     interval '1 month') m""";
    static final String FOREIGN_KEYS = """
            SELECT conname, pg_get_constraintdef(oid) AS def, obj_description(oid, 'pg_constraint') AS note
              FROM pg_constraint WHERE conrelid = ?::oid AND contype = 'f'
               AND NOT EXISTS (SELECT 1 FROM pg_constraint s WHERE s.conrelid = ?::oid AND s.conname = pg_constraint.conname)
             ORDER BY conname""";
    static final String CAPTURING = """
            UPDATE partwarden.conversion SET phase = 'backfilling', updated_at = now() WHERE id = ? AND phase = 'staging'""";

    private final JdbcTemplate jdbc;
    private final ConversionTransaction transaction;

    Staging(JdbcTemplate jdbc, ConversionTransaction transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    void run(Conversion conversion) {
        for (String month : months(conversion)) {
            transaction.run("make the " + month + " partition of " + conversion.staged(), conversion.id(), Duration.ZERO,
                    c -> jdbc.queryForObject(MAKE_MONTH, String.class, c.staged(), monthStart(month)));
        }
        transaction.run("add the foreign keys of " + conversion.staged(), conversion.id(), Duration.ZERO, c -> {
            foreignKeyStatements(jdbc, c).forEach(jdbc::execute);
            return null;
        });
        transaction.run("capture changes to " + conversion.source(), conversion.id(), Duration.ZERO, c -> {
            if (c.phase() == ConversionPhase.STAGING) {
                captureStatements(jdbc, c).forEach(jdbc::execute);
                jdbc.update(CAPTURING, c.id());
            }
            return null;
        });
        Failpoint.reach("conversion.captured");
    }

    /** Each month the rows need, as YYYY-MM. */
    List<String> months(Conversion c) {
        Map<String, Object> range = jdbc.queryForMap(SAVED_RANGE, c.id());
        return months(jdbc, (String) range.get("oldest"), (String) range.get("newest"));
    }

    /** Each month rows from {@code oldest} to {@code newest} (timestamptz as text; null: none known) need. */
    static List<String> months(JdbcTemplate jdbc, String oldest, String newest) {
        return jdbc.queryForList(MONTHS, String.class, oldest, BEHIND, AHEAD, newest);
    }

    /** The first of {@code month} (YYYY-MM) as {@link #MAKE_MONTH} is given it. */
    static String monthStart(String month) {
        return month + "-01 00:00:00+00";
    }

    static List<String> foreignKeyStatements(JdbcTemplate jdbc, Conversion c) {
        List<String> statements = new ArrayList<>();
        for (Map<String, Object> key : jdbc.queryForList(FOREIGN_KEYS, c.sourceOid(), c.stagedOid())) {
            String name = SqlIdentifier.quote((String) key.get("conname"));
            statements.add("ALTER TABLE " + c.staged() + " ADD CONSTRAINT " + name + " " + key.get("def"));
            if (key.get("note") != null) {
                statements.add("COMMENT ON CONSTRAINT " + name + " ON " + c.staged() + " IS "
                        + Preparation.literal((String) key.get("note")));
            }
        }
        return statements;
    }

    static List<String> captureStatements(JdbcTemplate jdbc, Conversion c) {
        List<String> statements = new ArrayList<>(ChangeCapture.createFunction(c.id(), c.idColumn(),
                References.read(jdbc, c.sourceOid())));
        statements.addAll(ChangeCapture.createTriggers(c.id(), c.source(), ChangeCapture.FORWARD));
        return statements;
    }

}
