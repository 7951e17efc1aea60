package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.step.LockRetry;
import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code catching_up} → {@code converted} in one transaction: the plain table and the partitioned
 * one locked (each wait bounded by {@code lock-timeout}), the last logged changes applied (no
 * writer is in flight now, so an empty log means both hold the same rows), then the names swapped
 * and everything the plain table carried moved to the partitioned one: owner, comment, grants,
 * row level security and policies, publications, the sequence, triggers with their states,
 * functions bound to the table. Writers queue from the first lock to the commit; a hold longer
 * than {@code cutover-hold} rolls it all back, to be tried again. The foreign keys exist already:
 * no lock on the referenced table.
 */
final class Cutover {

    static final String INDEXES = """
            SELECT ic.oid, ic.relname FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
             WHERE ix.indrelid = ?::oid ORDER BY ic.relname""";
    /** Sequences the plain table's columns own: serial ones move to the new column, identity ones continue in its own. */
    static final String SEQUENCES = """
            SELECT s.oid, s.relname, a.attname, a.attidentity <> '' AS identity
              FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
              JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_class'::regclass AND d.refobjid = ?::oid AND d.deptype IN ('a', 'i')
             ORDER BY a.attnum""";
    static final String TRIGGERS = """
            SELECT pg_get_triggerdef(oid) AS def, tgname, tgenabled::text AS enabled FROM pg_trigger
             WHERE tgrelid = ?::oid AND NOT tgisinternal AND tgname NOT IN (?, ?) ORDER BY tgname""";
    static final String PUBLICATIONS = """
            SELECT pub.pubname FROM pg_publication_rel pr JOIN pg_publication pub ON pub.oid = pr.prpubid
             WHERE pr.prrelid = ?::oid ORDER BY pub.pubname""";
    static final String GRANTEES = """
            SELECT DISTINCT partwarden.grantee_sql(a.grantee) FROM pg_class k, aclexplode(k.relacl) a
             WHERE k.oid = ?::oid AND a.grantee <> k.relowner""";
    /** Functions bound to the plain table by OID (BEGIN ATOMIC bodies), printed while it has its name. */
    static final String BOUND_FUNCTIONS = """
            SELECT DISTINCT pg_get_functiondef(d.objid) FROM pg_depend d
             WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ?::oid""";
    static final String PARTITIONS = """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?::oid
             ORDER BY c.relname""";
    static final String TAKEN_NAMES = """
            SELECT string_agg(format('%I.%I', ?::text, c.relname), ', ') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = ?::oid AND to_regclass(format('%I.%I', ?::text, c.relname)) IS NOT NULL""";
    static final String SAVED = """
            SELECT jsonb_build_object(
                     'indexes', (SELECT jsonb_object_agg('pw_u_' || ic.oid, ic.relname) FROM pg_index ix
                                   JOIN pg_class ic ON ic.oid = ix.indexrelid WHERE ix.indrelid = ?::oid),
                     'triggers', (SELECT jsonb_object_agg(tgname, tgenabled::text) FROM pg_trigger
                                   WHERE tgrelid = ?::oid AND NOT tgisinternal AND tgname NOT LIKE 'partwarden_conversion_%'),
                     'publications', (SELECT jsonb_agg(pub.pubname) FROM pg_publication_rel pr
                                        JOIN pg_publication pub ON pub.oid = pr.prpubid WHERE pr.prrelid = ?::oid),
                     'acl', (SELECT relacl::text FROM pg_class WHERE oid = ?::oid),
                     'partitions', (SELECT jsonb_agg(c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                     WHERE i.inhparent = ?::oid))::text""";
    static final String TRUNCATED = """
            SELECT EXISTS (SELECT 1 FROM partwarden.conversion_change WHERE conversion_id = ? AND kind = 't' AND direction = ?::"char")""";
    static final String CONVERTED = """
            UPDATE partwarden.conversion SET phase = 'converted', cutover_at = now(), updated_at = now(),
                   finish_after = CASE WHEN ?::bigint > 0 THEN now() + make_interval(secs => ?::bigint / 1000.0) END,
                   saved = saved || ?::jsonb, cutover_attempts = cutover_attempts + 1, blocked = NULL
             WHERE id = ? AND phase = 'catching_up'""";
    static final String ATTEMPTED = """
            UPDATE partwarden.conversion SET cutover_attempts = cutover_attempts + 1,
                   first_cutover_attempt_at = coalesce(first_cutover_attempt_at, now()), last_error = ?, last_error_at = now()
             WHERE id = ?""";

    /** The hold was over before the work was: given up, changing nothing. */
    static final class HoldExceeded extends RuntimeException {
        HoldExceeded(String message) {
            super(message);
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ConversionRecords records;
    private final Replay replay;
    private final Duration lockTimeout;
    private final Duration hold;
    private final Duration finishAfter;

    Cutover(JdbcTemplate jdbc, TransactionTemplate transactions, ConversionRecords records, Replay replay,
            Duration lockTimeout, Duration hold, Duration finishAfter) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.records = records;
        this.replay = replay;
        this.lockTimeout = lockTimeout;
        this.hold = hold;
        this.finishAfter = finishAfter;
    }

    /** One attempt; throws (everything rolled back) if a lock or the hold ran out. */
    void attempt(long conversionId, Columns columns) {
        transactions.executeWithoutResult(status -> {
            LockRetry.setLocalLockTimeout(jdbc, lockTimeout);
            Conversion c = records.lock(conversionId);
            if (c.phase() != ConversionPhase.CATCHING_UP) {
                return;
            }
            locks(c).forEach(jdbc::execute);
            long deadline = System.nanoTime() + hold.toNanos();
            ConversionTransaction.setLocalStatementTimeout(jdbc, hold);
            Failpoint.reach("conversion.cutover.locked"); // locks held; a kill rolls it all back
            if (jdbc.queryForObject(TRUNCATED, Boolean.class, c.id(), ChangeCapture.FORWARD)) {
                throw new HoldExceeded(c.label() + " was truncated since the copy began: the copy starts again first");
            }
            while (replay.apply(c, ChangeCapture.FORWARD, columns, 10_000) > 0) {
                checkHold(deadline, "applying the last changes");
            }
            String taken = jdbc.queryForObject(TAKEN_NAMES, String.class, c.sourceSchema(), c.stagedOid(), c.sourceSchema());
            if (taken != null) {
                throw new ConversionRefused("cannot move the partitions of " + c.staged() + " into schema "
                        + c.sourceSchema() + ": relations of their names exist there: " + taken + "; rename or drop them");
            }
            String saved = jdbc.queryForObject(SAVED, String.class, c.sourceOid(), c.sourceOid(), c.sourceOid(),
                    c.sourceOid(), c.stagedOid());
            for (String statement : statements(c)) {
                checkHold(deadline, statement);
                jdbc.execute(statement);
            }
            if (jdbc.update(CONVERTED, finishAfter.toMillis(), finishAfter.toMillis(), saved, c.id()) != 1) {
                throw new IllegalStateException("conversion " + c.id() + " left phase catching_up during its cut-over");
            }
        });
    }

    /** Not progress: updated_at stays, so a cut-over that keeps failing shows as stalled. */
    void recordFailedAttempt(long conversionId, String error) {
        jdbc.update(ATTEMPTED, error, conversionId);
    }

    /** The plain table first, then the partitioned one with every partition: writers queue from here to the commit. */
    static List<String> locks(Conversion c) {
        return List.of("LOCK TABLE " + c.source() + " IN ACCESS EXCLUSIVE MODE",
                "LOCK TABLE " + c.staged() + " IN ACCESS EXCLUSIVE MODE");
    }

    /** After the commit, in a transaction of its own: SHARE UPDATE EXCLUSIVE blocks no writer. */
    static String analyze(Conversion c) {
        return "ANALYZE " + c.source();
    }

    /** The swap's statements, read from the catalog under the cut-over's locks, before the first rename. */
    List<String> statements(Conversion c) {
        return statements(jdbc, c, jdbc.queryForList(PARTITIONS, String.class, c.stagedOid()));
    }

    /** As the cut-over reads them, for the partitioned table's {@code partitions} (names in schema partwarden). */
    static List<String> statements(JdbcTemplate jdbc, Conversion c, List<String> partitions) {
        String schema = c.sourceSchema();
        String newTable = c.source(); // the name, once the partitioned table has moved in
        List<String> out = new ArrayList<>();
        List<Map<String, Object>> sequences = jdbc.queryForList(SEQUENCES, c.sourceOid());
        List<Map<String, Object>> triggers = jdbc.queryForList(TRIGGERS, c.sourceOid(), ChangeCapture.ROW_TRIGGER,
                ChangeCapture.TRUNCATE_TRIGGER);
        List<String> publications = jdbc.queryForList(PUBLICATIONS, String.class, c.sourceOid());
        List<String> grantees = jdbc.queryForList(GRANTEES, String.class, c.sourceOid());
        List<String> functions = jdbc.queryForList(BOUND_FUNCTIONS, String.class, c.sourceOid());

        out.add("ALTER TABLE " + c.source() + " RENAME TO " + SqlIdentifier.quote(c.keptName()));
        for (Map<String, Object> index : jdbc.queryForList(INDEXES, c.sourceOid())) {
            out.add("ALTER INDEX " + SqlIdentifier.qualified(schema, (String) index.get("relname")) + " RENAME TO "
                    + SqlIdentifier.quote("pw_u_" + index.get("oid")));
        }
        for (Map<String, Object> sequence : sequences) {
            if (Boolean.TRUE.equals(sequence.get("identity"))) {
                out.add("ALTER SEQUENCE " + SqlIdentifier.qualified(schema, (String) sequence.get("relname"))
                        + " RENAME TO " + SqlIdentifier.quote("pw_u_" + sequence.get("oid")));
            }
        }
        out.addAll(ChangeCapture.dropTriggers(c.kept()));
        // the kept table now receives the replayed changes: its own triggers must not fire twice
        out.add("ALTER TABLE " + c.kept() + " DISABLE TRIGGER USER");
        out.add("ALTER TABLE " + c.staged() + " SET SCHEMA " + SqlIdentifier.quote(schema));
        for (String partition : partitions) {
            out.add("ALTER TABLE " + SqlIdentifier.qualified(ConversionRecords.STAGING_SCHEMA, partition) + " SET SCHEMA "
                    + SqlIdentifier.quote(schema));
        }
        // owner, comment, grants, row level security, policies, publications: as the in-place conversion gives them
        out.add("SELECT partwarden.copy_table_access(" + regclass(c.kept()) + ", " + regclass(newTable) + ")");
        for (String partition : partitions) {
            out.add("SELECT partwarden.sync_partition_access(" + regclass(newTable) + ", "
                    + regclass(SqlIdentifier.qualified(schema, partition)) + ")");
        }
        for (Map<String, Object> sequence : sequences) {
            String column = SqlIdentifier.quote((String) sequence.get("attname"));
            if (Boolean.TRUE.equals(sequence.get("identity"))) {
                out.add("SELECT setval(pg_get_serial_sequence(" + Preparation.literal(newTable) + ", "
                        + Preparation.literal((String) sequence.get("attname")) + "), last_value, is_called) FROM "
                        + SqlIdentifier.qualified(schema, "pw_u_" + sequence.get("oid")));
            } else {
                out.add("ALTER SEQUENCE " + SqlIdentifier.qualified(schema, (String) sequence.get("relname"))
                        + " OWNED BY " + newTable + "." + column);
            }
        }
        for (Map<String, Object> trigger : triggers) {
            out.add((String) trigger.get("def")); // printed with the table's name, which now is the new table's
            String name = SqlIdentifier.quote((String) trigger.get("tgname"));
            switch ((String) trigger.get("enabled")) {
                case "D" -> out.add("ALTER TABLE " + newTable + " DISABLE TRIGGER " + name);
                case "R" -> out.add("ALTER TABLE " + newTable + " ENABLE REPLICA TRIGGER " + name);
                case "A" -> out.add("ALTER TABLE " + newTable + " ENABLE ALWAYS TRIGGER " + name);
                default -> { }
            }
        }
        out.addAll(ChangeCapture.createTriggers(c.id(), newTable, ChangeCapture.REVERSE));
        for (String publication : publications) {
            out.add("ALTER PUBLICATION " + SqlIdentifier.quote(publication) + " DROP TABLE " + c.kept());
        }
        // nobody writes the kept table any more but the replay that keeps it ready for a rollback
        for (String grantee : grantees) {
            out.add("REVOKE ALL ON TABLE " + c.kept() + " FROM " + grantee);
        }
        out.addAll(functions); // CREATE OR REPLACE: bound again, now to the new table
        return out;
    }

    private static String regclass(String qualified) {
        return Preparation.literal(qualified) + "::regclass";
    }

    private static void checkHold(long deadline, String doing) {
        if (System.nanoTime() > deadline) {
            throw new HoldExceeded("the cut-over held its locks longer than partwarden.migration.online.cutover-hold"
                    + " before " + doing + "; rolled back, to be tried again");
        }
    }
}
