package io.partwarden.conversion;

import io.partwarden.config.PartwardenProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The statements of each phase of an online conversion, for {@code --dry-run}, written by the very
 * builders the steps run, so the preview cannot say one thing and the conversion do another. Only
 * the catalog is read. A conversion not begun yet is given a provisional record (the id it would
 * get, the plain table as it is now); a statement made once per partition of a partitioned table
 * not made yet is printed once, for a placeholder partition, marked {@link #FOR_EACH_PARTITION}.
 * Parameters the engine binds as the copy goes are printed as {@code :name}.
 */
public final class ConversionPlan {

    public static final String FOR_EACH_PARTITION = "-- (for each partition)";

    /** The next value of partwarden.conversion's identity: the id a conversion begun now would get. */
    static final String NEXT_ID = """
            SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('partwarden.conversion', 'id')::regclass), 0) + 1""";
    static final String STAGED_PARTITIONS = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE i.inhparent = ?::oid ORDER BY c.relname";

    /**
     * One phase as the dry run prints it.
     *
     * @param does what it does, in words, with the locks writers meet
     * @param lines its statements in order, each ending in {@code ;} (comments start with {@code --}); none once done
     * @param done whether the conversion is past it
     */
    public record Phase(ConversionPhase phase, String does, List<String> lines, boolean done) {
    }

    private ConversionPlan() {
    }

    /**
     * The record a conversion of the plain table would begin with, as {@code ConversionDriver}
     * begins one: empty if there is no plain table of that name.
     *
     * @throws ConversionRefused if the online method cannot copy it (no single integer primary key)
     */
    public static Optional<Conversion> provisional(JdbcTemplate jdbc, String schema, String name) {
        return SourceTable.read(jdbc, schema, name, ConversionDriver.KEY_COLUMN).map(t -> new Conversion(
                jdbc.queryForObject(NEXT_ID, Long.class), t.schema(), t.name(), t.oid(), t.owner(), t.keyColumn(),
                t.idColumn(), null, ConversionPhase.PREPARING, null, null, 0,
                jdbc.queryForObject(ConversionDriver.ESTIMATE, Long.class, t.oid()), null, 0, null, null, null, null));
    }

    /** The catalog's refusals of the online method, as the preparing step runs them; empty if none. */
    public static Optional<String> catalogRefusal(JdbcTemplate jdbc, Conversion c) {
        try {
            jdbc.query(Preparation.CATALOG_CHECK, rs -> { }, c.sourceOid(), c.keyColumn());
            return Optional.empty();
        } catch (org.springframework.dao.DataAccessException refused) {
            return Optional.of(refused.getMostSpecificCause().getMessage());
        }
    }

    /** The months the staging step makes, as YYYY-MM, for rows from {@code oldest} to {@code newest} (null: not known). */
    public static List<String> monthsFor(JdbcTemplate jdbc, String oldest, String newest) {
        return Staging.months(jdbc, oldest, newest);
    }

    /** The months the staging step of {@code c} makes, from the range its preparing scan recorded. */
    public static List<String> monthsRecorded(JdbcTemplate jdbc, Conversion c) {
        return new Staging(jdbc, null).months(c);
    }

    /** The partitions the partitioned table being built has now. */
    public static List<String> stagedPartitions(JdbcTemplate jdbc, Conversion c) {
        return c.stagedOid() == null ? List.of() : jdbc.queryForList(STAGED_PARTITIONS, String.class, c.stagedOid());
    }

    /**
     * Every phase of {@code c} from preparing to converted, the ones it is past marked done.
     *
     * @param months the months staging makes, YYYY-MM (used until staging is done)
     */
    public static List<Phase> phases(JdbcTemplate jdbc, Conversion c, List<String> months, PartwardenProperties.Online online) {
        Columns columns = new Columns(jdbc.queryForList(Columns.STORED, String.class, c.sourceOid()));
        boolean converted = c.phase() == ConversionPhase.CONVERTED;
        List<Phase> phases = new ArrayList<>();

        phases.add(phase(c, ConversionPhase.PREPARING, "the online method's refusals, read from the catalog; one read of "
                + c.source() + " (ACCESS SHARE: no writer waits) for rows no month can hold and for the oldest and newest; then,"
                + " in one transaction, the partitioned table made beside it in schema " + ConversionRecords.STAGING_SCHEMA
                + ", with its columns, primary key (with " + c.keyColumn() + ") and indexes", () -> {
                    List<String> out = new ArrayList<>();
                    out.add(render(Preparation.CATALOG_CHECK, c.sourceOid(), c.keyColumn()));
                    out.add(Preparation.scan(c) + ";");
                    Preparation.statements(jdbc, c).forEach(s -> out.add(s + ";"));
                    return out;
                }));

        phases.add(phase(c, ConversionPhase.STAGING, "each month its own transaction, made as the pass makes partitions;"
                + " then the foreign keys (SHARE ROW EXCLUSIVE on the tables they reference, for milliseconds: the table is"
                + " empty); then the capture of every change to " + c.source() + ", committed with the move to backfilling"
                + " (SHARE ROW EXCLUSIVE on it, waited for at most partwarden.migration.lock-timeout, retried)", () -> {
                    List<String> out = new ArrayList<>();
                    for (String month : months) {
                        out.add(render(Staging.MAKE_MONTH, c.staged(), Staging.monthStart(month)));
                    }
                    if (c.stagedOid() == null) {
                        out.add("-- the foreign keys of " + c.source() + ", on the table made above:");
                    }
                    Staging.foreignKeyStatements(jdbc, c).forEach(s -> out.add(s + ";"));
                    Staging.captureStatements(jdbc, c).forEach(s -> out.add(s + ";"));
                    return out;
                }));

        phases.add(phase(c, ConversionPhase.BACKFILLING, "the range to copy, read once; then batches by primary key, each"
                + " one transaction that commits its rows with its checkpoint (lock-timeout, a 10 s fuse); the rows whose referenced"
                + " row a delete holds or has removed (FOR KEY SHARE SKIP LOCKED) are logged as changes, not copied; after a"
                + " batch, once partwarden.migration.online.cutover-backlog changes wait or a second has passed, rounds for up to"
                + " as long as the batch took of the changes captured meanwhile: their copies deleted, the source's rows as they are now copied"
                + " again, the log rows consumed in the same transaction", () -> {
                    List<String> out = new ArrayList<>();
                    out.add(render(Backfill.bounds(c), c.id()));
                    References references = References.read(jdbc, c.sourceOid());
                    out.add(render(Backfill.batch(c, columns, references), references.parameters(ChangeCapture.FORWARD, c.id(),
                            param("copied_through"), param("backfill_to"), online.batchRows())));
                    out.add(render(Backfill.CHECKPOINT, param("last_copied"), param("copied"), param("last_copied"), c.id()));
                    out.addAll(round(jdbc, c, columns, ChangeCapture.FORWARD, c.source(), c.staged(), online.cutoverBacklog(), true));
                    return out;
                }));

        phases.add(phase(c, ConversionPhase.CATCHING_UP, "rounds as above until at most partwarden.migration.online."
                + "cutover-backlog changes wait; then the cut-over, one transaction, retried with a growing pause: both"
                + " tables locked (each lock waited for at most partwarden.migration.lock-timeout; writers queue from the"
                + " first lock to the commit, at most partwarden.migration.online.cutover-hold), the last changes applied,"
                + " the names swapped and everything the plain table carried moved over; then ANALYZE", () -> {
                    List<String> out = new ArrayList<>();
                    Cutover.locks(c).forEach(s -> out.add(s + ";"));
                    out.add("-- rounds until no change waits, each waiting for the rows its copies reference instead of"
                            + " logging them again:");
                    out.addAll(round(jdbc, c, columns, ChangeCapture.FORWARD, c.source(), c.staged(), 10_000, false));
                    out.add("-- then, as the catalog reads now:");
                    List<String> partitions = c.stagedOid() == null ? List.of(placeholderPartition(c)) : stagedPartitions(jdbc, c);
                    for (String s : Cutover.statements(jdbc, c, partitions)) {
                        out.add(s + ";" + (c.stagedOid() == null && s.contains(placeholderPartition(c)) ? " " + FOR_EACH_PARTITION : ""));
                    }
                    out.add("-- committed with phase converted; then, in a transaction of its own:");
                    out.add(Cutover.analyze(c) + ";");
                    return out;
                }));

        List<String> after = new ArrayList<>();
        after.add("-- the changes made to the partitioned table since, replayed into " + c.kept() + " (the same rounds, back):");
        after.addAll(round(jdbc, c, columns, ChangeCapture.REVERSE, c.source(), c.kept(), 10_000, true));
        after.add("-- --finish-conversion, or the service once partwarden.migration.online.finish-after has passed"
                + " (ACCESS EXCLUSIVE on both tables and on the tables the foreign keys reference, within lock-timeout):");
        Finish.statements(c).forEach(s -> after.add(s + ";"));
        if (converted) {
            after.add("-- --rollback-conversion: the changes since drained under ACCESS EXCLUSIVE on both tables, then:");
            Rollback.swapBackStatements(jdbc, c).forEach(s -> after.add(s + ";"));
        } else {
            after.add("-- --rollback-conversion before the cut-over gives the conversion up:");
            Rollback.abandonStatements(c).forEach(s -> after.add(s + ";"));
            after.add("-- after it, swaps the plain table back with every change made since (its statements are printed"
                    + " once the cut-over is done)");
        }
        phases.add(new Phase(ConversionPhase.CONVERTED, "the partitioned table has the name; " + c.kept()
                + " is kept, current, for a rollback, until --finish-conversion", after, false));
        return phases;
    }

    /** A phase: its statements, or none if the conversion is past it. */
    private static Phase phase(Conversion c, ConversionPhase phase, String does, java.util.function.Supplier<List<String>> lines) {
        boolean done = c.phase().ordinal() > phase.ordinal();
        return new Phase(phase, does, done ? List.of() : lines.get(), done);
    }

    private static List<String> round(JdbcTemplate jdbc, Conversion c, Columns columns, String direction, String source, String target,
            int limit, boolean deferLocked) {
        References references = References.read(jdbc, c.sourceOid());
        String deferTo = deferLocked ? direction : null;
        String copy = Replay.copy(c, columns, references, source, target, deferTo);
        return List.of(render(Replay.IN_KEY_ORDER), render(Replay.TAKE, c.id(), c.id(), direction, limit),
                render(Replay.PLANNER_DEFAULTS), render(Replay.BY_INDEX), render(Replay.deleteCopies(c, target), param("ids")),
                render(Replay.PLANNER_DEFAULTS),
                render(copy, references.parameters(deferTo, c.id(), param("ids"))));
    }

    /** Stands for each partition of a partitioned table not made yet. */
    static String placeholderPartition(Conversion c) {
        return c.sourceName() + "_yYYYYmMM";
    }

    /** A value bound by the step as it goes, printed {@code :name}. */
    record Param(String name) {
    }

    static Param param(String name) {
        return new Param(name);
    }

    /** {@code sql} with its {@code ?} parameters written in, ending in {@code ;}. */
    static String render(String sql, Object... values) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch != '?') {
                out.append(ch);
                continue;
            }
            if (next >= values.length) {
                throw new IllegalArgumentException("more parameters than values in " + sql);
            }
            Object value = values[next++];
            out.append(value instanceof Param p ? ":" + p.name()
                    : value instanceof Number n ? n.toString()
                    : Preparation.literal(String.valueOf(value)));
        }
        if (next != values.length) {
            throw new IllegalArgumentException("fewer parameters than values in " + sql);
        }
        return out.append(';').toString();
    }
}
