package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.step.StepRunner;
import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code --rollback-conversion}. Before the cut-over it abandons the conversion: the capture
 * triggers, the partitioned table being built, the capture function and the log go; the plain
 * table was never replaced. After the cut-over it mirrors the cut-over in one transaction: the
 * changes made to the partitioned table since, drained into the kept plain table under both
 * tables' locks, then the names, indexes, sequence, triggers, access, publications and bound
 * functions given back, and the partitioned table dropped (ACCESS EXCLUSIVE on the table its
 * foreign key references, bounded by {@code lock-timeout} like every lock here).
 */
final class Rollback {

    static final String ABANDONED = """
            UPDATE partwarden.conversion SET phase = 'abandoned', ended_at = now(), ended_by = 'operator', updated_at = now()
             WHERE id = ? AND phase IN ('preparing', 'staging', 'backfilling', 'catching_up')""";
    static final String ROLLED_BACK = """
            UPDATE partwarden.conversion SET phase = 'rolled_back', ended_at = now(), ended_by = 'operator', updated_at = now()
             WHERE id = ? AND phase = 'converted'""";
    static final String FORGET_CHANGES = "DELETE FROM partwarden.conversion_change WHERE conversion_id = ?";
    // a table without user triggers saved JSON null for them (jsonb_object_agg of no rows), which jsonb_each_text refuses
    static final String SAVED_INDEXES = "SELECT key, value FROM partwarden.conversion,"
            + " jsonb_each_text(coalesce(nullif(saved -> 'indexes', 'null'), '{}')) WHERE id = ?";
    static final String SAVED_TRIGGERS = "SELECT key, value FROM partwarden.conversion,"
            + " jsonb_each_text(coalesce(nullif(saved -> 'triggers', 'null'), '{}')) WHERE id = ?";
    static final String POLICIES = "SELECT polname FROM pg_policy WHERE polrelid = ?::regclass ORDER BY polname";
    static final String COLUMNS = """
            SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
              FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped""";
    static final String NEW_IDENTITY = "SELECT pg_get_serial_sequence(?, ?)";

    private final JdbcTemplate jdbc;
    private final StepRunner steps;
    private final ConversionRecords records;
    private final Replay replay;
    private final Duration lockTimeout;
    private final int lockAttempts;

    Rollback(JdbcTemplate jdbc, TransactionTemplate transactions, ConversionRecords records, Replay replay,
             Duration lockTimeout, int lockAttempts) {
        this.jdbc = jdbc;
        this.steps = new StepRunner(jdbc, transactions);
        this.records = records;
        this.replay = replay;
        this.lockTimeout = lockTimeout;
        this.lockAttempts = lockAttempts;
    }

    /** Before the cut-over: what the conversion made goes; the plain table stays as it is. */
    void abandon(long id) {
        steps.inTransaction("abandon the conversion", lockTimeout, lockAttempts, () -> {
            Conversion c = records.lock(id);
            if (!c.phase().beforeCutover()) {
                throw new ConversionRefused("conversion " + id + " of " + c.label() + " is " + c.phase().sql()
                        + ", not before its cut-over");
            }
            abandonStatements(c).forEach(jdbc::execute);
            jdbc.update(FORGET_CHANGES, id);
            jdbc.update(ABANDONED, id);
            return null;
        });
    }

    static List<String> abandonStatements(Conversion c) {
        List<String> out = new ArrayList<>(ChangeCapture.dropTriggers(c.source()));
        out.add("DROP TABLE IF EXISTS " + c.staged());
        out.add(ChangeCapture.dropFunction(c.id()));
        return out;
    }

    /** After the cut-over: the plain table back under its name with every change made since. */
    void swapBack(long id, Columns columns) {
        Conversion before = records.get(id);
        // most of the changes applied before taking any lock, so the drain under the locks is short
        References references = References.read(jdbc, before.sourceOid());
        while (!replay.atMost(before, ChangeCapture.REVERSE, 1000)) {
            replay.round(before, ChangeCapture.REVERSE, columns, references, 10_000);
        }
        steps.inTransaction("roll back the conversion", lockTimeout, lockAttempts, () -> {
            Conversion c = records.lock(id);
            if (c.phase() != ConversionPhase.CONVERTED) {
                throw new ConversionRefused("conversion " + id + " of " + c.label() + " is " + c.phase().sql()
                        + "; only a converted one is swapped back");
            }
            jdbc.execute("LOCK TABLE " + c.source() + " IN ACCESS EXCLUSIVE MODE");
            jdbc.execute("LOCK TABLE " + c.kept() + " IN ACCESS EXCLUSIVE MODE");
            Failpoint.reach("conversion.rollback.locked");
            if (jdbc.queryForObject(Cutover.TRUNCATED, Boolean.class, id, ChangeCapture.REVERSE)) {
                jdbc.execute("TRUNCATE " + c.kept());
                jdbc.update("DELETE FROM partwarden.conversion_change WHERE conversion_id = ? AND direction = 'r'", id);
                jdbc.update("INSERT INTO " + c.kept() + " (" + columns.list() + ") OVERRIDING SYSTEM VALUE SELECT "
                        + columns.list() + " FROM " + c.source());
            }
            while (replay.apply(c, ChangeCapture.REVERSE, columns, 10_000) > 0) {
                // drained: no writer is in flight under these locks
            }
            String now = jdbc.queryForObject(COLUMNS, String.class, c.source());
            String kept = jdbc.queryForObject(COLUMNS, String.class, c.kept());
            if (!now.equals(kept)) {
                throw new ConversionRefused("cannot swap " + c.label() + " back: its columns changed since the cut-over ("
                        + now + ") and the kept table's are (" + kept + "); make them equal first");
            }
            swapBackStatements(jdbc, c).forEach(jdbc::execute);
            jdbc.update(FORGET_CHANGES, id);
            jdbc.update(ROLLED_BACK, id);
            return null;
        });
    }

    static List<String> swapBackStatements(JdbcTemplate jdbc, Conversion c) {
        String schema = c.sourceSchema();
        String aside = SqlIdentifier.qualified(schema, c.sourceName() + "_pw_rollback");
        List<String> out = new ArrayList<>(ChangeCapture.dropTriggers(c.source()));
        List<String> functions = jdbc.queryForList(Cutover.BOUND_FUNCTIONS, String.class, stagedOid(jdbc, c));
        for (Map<String, Object> sequence : jdbc.queryForList(Cutover.SEQUENCES, stagedOid(jdbc, c))) {
            String column = (String) sequence.get("attname");
            if (Boolean.TRUE.equals(sequence.get("identity"))) {
                continue; // the kept table's own identity sequence is set below, once it has its name again
            }
            out.add("ALTER SEQUENCE " + SqlIdentifier.qualified(schema, (String) sequence.get("relname")) + " OWNED BY "
                    + c.kept() + "." + SqlIdentifier.quote(column));
        }
        for (String policy : jdbc.queryForList(POLICIES, String.class, c.kept())) {
            out.add("DROP POLICY " + SqlIdentifier.quote(policy) + " ON " + c.kept());
        }
        // access as the partitioned table has it now: changes made since the cut-over count
        out.add("SELECT partwarden.copy_table_access(" + Preparation.literal(c.source()) + "::regclass, "
                + Preparation.literal(c.kept()) + "::regclass)");
        out.add("ALTER TABLE " + c.source() + " RENAME TO " + SqlIdentifier.quote(c.sourceName() + "_pw_rollback"));
        out.add("ALTER TABLE " + c.kept() + " RENAME TO " + SqlIdentifier.quote(c.sourceName()));
        out.addAll(functions); // bound again, now to the plain table
        for (Map<String, Object> sequence : jdbc.queryForList(Cutover.SEQUENCES, stagedOid(jdbc, c))) {
            if (Boolean.TRUE.equals(sequence.get("identity"))) {
                out.add("SELECT setval(" + Preparation.literal(SqlIdentifier.qualified(schema,
                        "pw_u_" + keptIdentityOid(jdbc, c, (String) sequence.get("attname"))))
                        + ", last_value, is_called) FROM " + SqlIdentifier.qualified(schema, (String) sequence.get("relname")));
            }
        }
        out.add("DROP TABLE " + aside);
        for (Map<String, Object> index : jdbc.queryForList(SAVED_INDEXES, c.id())) {
            out.add("ALTER INDEX " + SqlIdentifier.qualified(schema, (String) index.get("key")) + " RENAME TO "
                    + SqlIdentifier.quote((String) index.get("value")));
        }
        for (Map<String, Object> sequence : jdbc.queryForList(Cutover.SEQUENCES, c.sourceOid())) {
            if (Boolean.TRUE.equals(sequence.get("identity"))) {
                out.add("ALTER SEQUENCE " + SqlIdentifier.qualified(schema, (String) sequence.get("relname")) + " RENAME TO "
                        + SqlIdentifier.quote(c.sourceName() + "_" + sequence.get("attname") + "_seq"));
            }
        }
        String table = SqlIdentifier.qualified(schema, c.sourceName());
        for (Map<String, Object> trigger : jdbc.queryForList(SAVED_TRIGGERS, c.id())) {
            String name = SqlIdentifier.quote((String) trigger.get("key"));
            out.add(switch ((String) trigger.get("value")) {
                case "D" -> "ALTER TABLE " + table + " DISABLE TRIGGER " + name;
                case "R" -> "ALTER TABLE " + table + " ENABLE REPLICA TRIGGER " + name;
                case "A" -> "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + name;
                default -> "ALTER TABLE " + table + " ENABLE TRIGGER " + name;
            });
        }
        out.add(ChangeCapture.dropFunction(c.id()));
        return out;
    }

    private static long stagedOid(JdbcTemplate jdbc, Conversion c) {
        return jdbc.queryForObject("SELECT ?::regclass::oid", Long.class, c.source());
    }

    private static long keptIdentityOid(JdbcTemplate jdbc, Conversion c, String column) {
        return jdbc.queryForObject("SELECT pg_get_serial_sequence(?, ?)::regclass::oid", Long.class, c.kept(), column);
    }
}
