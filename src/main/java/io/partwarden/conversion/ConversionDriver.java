package io.partwarden.conversion;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.meshhook.MeshHookEvents;
import io.partwarden.step.LockRetry;
import io.partwarden.failpoint.Failpoint;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries the online conversion of the events table from phase to phase: each call to
 * {@link #advance} does steps for a while and returns, so that the caller can hold a replica lock
 * per slice and a crash loses at most the step under way. Every step is a short transaction of its
 * own (see {@link ConversionPhase}); what it needs it reads from the conversion's row.
 */
@org.springframework.stereotype.Component
public class ConversionDriver {

    private static final Logger log = LoggerFactory.getLogger(ConversionDriver.class);

    static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
    static final Duration LONGEST_CUTOVER_PAUSE = Duration.ofSeconds(5);
    /** A batch or round that runs far past its target is stopped rather than left holding its locks. */
    static final Duration STEP_FUSE = Duration.ofSeconds(10);
    /** While copying, changes wait at most this long, or until a round's worth waits. */
    static final Duration REPLAY_AT_LEAST_EVERY = Duration.ofSeconds(1);
    static final String REPLICA_LAG = "SELECT extract(epoch FROM max(replay_lag)) * 1000 FROM pg_stat_replication";

    private final JdbcTemplate jdbc;
    private final ConversionRecords records;
    private final PartwardenProperties.Online online;
    private final String eventsSchema;
    private final Preparation preparation;
    private final Staging staging;
    private final Backfill backfill;
    private final Replay replay;
    private final Cutover cutover;
    private final Finish finish;
    private final Rollback rollback;
    private final MissingMonths missingMonths;
    private BackfillPace pace;
    private long lastProgressLog;
    private long rowsAtLastLog;
    private long changesApplied;
    private long lastRound;
    private long changesAtLastLog;

    public ConversionDriver(JdbcTemplate jdbc, TransactionTemplate transactions, PartwardenProperties properties) {
        this.jdbc = jdbc;
        this.records = new ConversionRecords(jdbc);
        PartwardenProperties.Migration migration = properties.migration();
        this.online = migration.online();
        this.eventsSchema = properties.eventsSchema();
        ConversionTransaction transaction = new ConversionTransaction(jdbc, transactions, records,
                migration.lockTimeout(), migration.lockAttempts());
        this.preparation = new Preparation(jdbc, transaction);
        this.staging = new Staging(jdbc, transaction);
        this.backfill = new Backfill(jdbc, transaction, STEP_FUSE);
        this.replay = new Replay(jdbc, transaction, records, STEP_FUSE);
        this.cutover = new Cutover(jdbc, transactions, records, replay, migration.lockTimeout(), online.cutoverHold(),
                online.finishAfter());
        this.finish = new Finish(jdbc, transaction);
        this.rollback = new Rollback(jdbc, transactions, records, replay, migration.lockTimeout(), migration.lockAttempts());
        this.missingMonths = new MissingMonths(jdbc, transactions, migration.lockTimeout());
        this.pace = new BackfillPace(online.batchRows(), online.batchTarget(), online.rowsPerSecond());
    }

    public Optional<Conversion> latestOfEventsTable() {
        return records.latest(eventsSchema, EVENTS_TABLE);
    }

    public String eventsTable() {
        return eventsSchema + "." + EVENTS_TABLE;
    }

    public ConversionRecords records() {
        return records;
    }

    /**
     * The events table's conversion still to drive: the one under way, or one begun now if the
     * table is plain (migration 3 left it so for the online method) and none is under way.
     */
    public Optional<Conversion> current() {
        return current(false);
    }

    /**
     * @param evenAfterOperatorGaveUp begin anew although the latest conversion was abandoned or
     *     rolled back by the operator ({@code --convert})
     */
    public Optional<Conversion> current(boolean evenAfterOperatorGaveUp) {
        Optional<Conversion> latest = records.latest(eventsSchema, EVENTS_TABLE);
        if (latest.isPresent() && !latest.get().phase().ended()) {
            return latest;
        }
        Optional<SourceTable> plain = SourceTable.read(jdbc, eventsSchema, EVENTS_TABLE, KEY_COLUMN);
        if (plain.isEmpty()) {
            return Optional.empty();
        }
        if (latest.isPresent() && !evenAfterOperatorGaveUp
                && latest.get().phase().givenUp()) {
            return Optional.empty(); // given up by the operator: begun again only by --convert
        }
        records.begin(plain.get(), estimate(plain.get()));
        Failpoint.reach("conversion.prepared");
        Optional<Conversion> begun = records.latest(eventsSchema, EVENTS_TABLE).filter(c -> !c.phase().ended());
        begun.ifPresent(c -> {
            long megabytes = megabytes(c);
            log.info("Converting {} online: about {} rows, {} MB; it needs about {} MB free for the copy and as much again"
                    + " of WAL until checkpoints recycle it; writers keep writing, the swap at the end holds them for under"
                    + " a second", c.label(), c.rowsEstimated(), megabytes, megabytes * 11 / 10);
        });
        return begun;
    }

    static final String EVENTS_TABLE = MeshHookEvents.TABLE;
    static final String KEY_COLUMN = "ts";
    static final String ESTIMATE = "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?::oid";

    static final String SIZE = "SELECT pg_total_relation_size(?::oid) / (1024 * 1024)";

    private long megabytes(Conversion c) {
        Long mb = jdbc.queryForObject(SIZE, Long.class, c.sourceOid());
        return mb == null ? 0 : mb;
    }

    private long estimate(SourceTable table) {
        Long estimate = jdbc.queryForObject(ESTIMATE, Long.class, table.oid());
        return estimate == null ? 0 : estimate;
    }

    /**
     * Works on the conversion for up to {@code slice}, or until it is converted (or ended).
     *
     * @throws ConversionRefused when it needs the operator (recorded as {@code blocked})
     */
    public Conversion advance(long id, Duration slice) {
        long until = System.nanoTime() + slice.toNanos();
        Conversion c = records.get(id);
        Columns columns = new Columns(jdbc.queryForList(Columns.STORED, String.class, c.sourceOid()));
        References references = References.read(jdbc, c.sourceOid());
        Duration cutoverPause = Duration.ofMillis(200);
        while (System.nanoTime() < until) {
            c = records.get(id);
            logProgress(c);
            if (!c.phase().beforeCutover()) {
                analyzeIfSwappedUnanalyzed(c);
                return c;
            }
            try {
                switch (c.phase()) {
                    case PREPARING -> preparation.run(c);
                    case STAGING -> staging.run(c);
                    case BACKFILLING -> backfillStep(c, columns, references);
                    case CATCHING_UP -> {
                        if (!replay.atMost(c, ChangeCapture.FORWARD, online.cutoverBacklog())) {
                            changesApplied += replay.round(c, ChangeCapture.FORWARD, columns, references, online.cutoverBacklog());
                        } else if (!tryCutover(c, columns)) {
                            LockRetry.pause(cutoverPause, "waiting to try the cut-over again");
                            cutoverPause = min(cutoverPause.multipliedBy(2), LONGEST_CUTOVER_PAUSE);
                        }
                    }
                    default -> { }
                }
                if (c.blocked() != null) {
                    records.unblock(id);
                    log.info("{}: goes on: what blocked it is mended ({})", c.label(), c.blocked());
                }
            } catch (ConversionRefused refused) {
                records.block(id, refused.getMessage());
                throw refused;
            } catch (RuntimeException e) {
                if (LockRetry.hasSqlState(e, "23514")) { // no partition for a row written meanwhile
                    makeMissingMonths(records.get(id), columns);
                } else if (LockRetry.hasSqlState(e, "23503") || LockRetry.hasSqlState(e, "40P01") || LockRetry.hasSqlState(e, "40001")
                        || e instanceof LockRetry.LockNotAcquiredException) {
                    // a run deleted under a batch, a deadlock, locks held long by others: the next try reads anew
                    records.recordError(id, e.getMessage());
                    log.info("{}: {}; trying again", c.label(), firstLine(e));
                } else {
                    records.recordError(id, e.getMessage());
                    throw e;
                }
            }
        }
        return records.get(id);
    }

    private void backfillStep(Conversion c, Columns columns, References references) {
        if (c.backfillTo() == null) {
            backfill.readBounds(c);
            return;
        }
        waitForReplicas();
        long started = System.nanoTime();
        Backfill.Batch batch = backfill.copy(c, columns, references, pace.rows());
        long took = System.nanoTime() - started;
        Duration pause = pace.pauseAfter(batch.read(), Duration.ofNanos(took));
        pace = pace.after(batch.read(), Duration.ofNanos(took));
        // the changes logged meanwhile, once a round's worth waits or a second has passed (a round
        // has fixed costs, its statements planned over every partition, that a thousand keys amortise and ten do not),
        // for up to as long as the batch took: the log drains however fast writers fill it, and the
        // copy keeps at least half the time
        long replaying = System.nanoTime();
        int round = online.cutoverBacklog();
        if (replaying - lastRound > REPLAY_AT_LEAST_EVERY.toNanos() || !replay.atMost(c, ChangeCapture.FORWARD, round)) {
            lastRound = replaying;
            int applied;
            do {
                applied = replay.round(c, ChangeCapture.FORWARD, columns, references, round);
                changesApplied += applied;
            } while (applied == round && System.nanoTime() - replaying < took);
        }
        if (!pause.isZero()) {
            LockRetry.pause(pause, "keeping the copy under partwarden.migration.online.rows-per-second");
        }
        if (batch.lastOfBackfill()) {
            log.info("{}: every row copied ({}); applying the changes logged meanwhile, then the cut-over", c.label(),
                    c.rowsCopied() + batch.copied());
        }
    }

    private boolean tryCutover(Conversion c, Columns columns) {
        try {
            cutover.attempt(c.id(), columns);
            Failpoint.reach("conversion.converted"); // swapped, before ANALYZE
            Conversion done = records.get(c.id());
            log.info("{}: converted: the partitioned table has the name; the plain one is kept as {} until"
                    + " --finish-conversion{}", c.label(), done.kept(), done.finishAfter() == null ? ""
                    : " or " + done.finishAfter());
            analyze(done);
            return true;
        } catch (RuntimeException e) {
            if (e instanceof Cutover.HoldExceeded || LockRetry.hasSqlState(e, "55P03") || LockRetry.hasSqlState(e, "57014")
                    || LockRetry.hasSqlState(e, "40P01")) {
                cutover.recordFailedAttempt(c.id(), firstLine(e));
                log.info("{}: cut-over not done, changing nothing: {}{}", c.label(), firstLine(e), blockers(c));
                return false;
            }
            throw e;
        }
    }

    static final String BLOCKERS = """
            SELECT string_agg(DISTINCT l.pid::text, ', ') FROM pg_locks l
             WHERE l.relation = ?::oid AND l.granted AND l.pid <> pg_backend_pid()""";

    private String blockers(Conversion c) {
        try {
            String pids = jdbc.queryForObject(BLOCKERS, String.class, c.sourceOid());
            return pids == null ? "" : " (sessions holding " + c.source() + ": pids " + pids + ")";
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** reltuples stays -1 (PostgreSQL 14 on) until a partitioned table's first ANALYZE: autovacuum never does it. */
    static final String NEVER_ANALYZED = "SELECT reltuples < 0 FROM pg_class WHERE oid = ?::regclass";

    /** A process killed between the swap and its ANALYZE: the next one does it. */
    private void analyzeIfSwappedUnanalyzed(Conversion c) {
        if (c.phase() == ConversionPhase.CONVERTED
                && Boolean.TRUE.equals(jdbc.queryForObject(NEVER_ANALYZED, Boolean.class, c.source()))) {
            log.info("{}: not analyzed since the cut-over (the process that swapped it stopped first): analyzing it",
                    c.label());
            analyze(c);
        }
    }

    private void analyze(Conversion c) {
        try {
            jdbc.execute(Cutover.analyze(c));
        } catch (RuntimeException e) {
            log.warn("{}: ANALYZE after the cut-over failed: {}; autovacuum will analyze it", c.label(), firstLine(e));
        }
    }

    /** Applies the changes made to the partitioned table since the cut-over to the kept plain one. */
    public int keepUnpartitionedCurrent(long id) {
        Conversion c = records.get(id);
        if (c.phase() != ConversionPhase.CONVERTED) {
            return 0;
        }
        analyzeIfSwappedUnanalyzed(c);
        Columns columns = new Columns(jdbc.queryForList(Columns.STORED, String.class, c.sourceOid()));
        return replay.round(c, ChangeCapture.REVERSE, columns, References.read(jdbc, c.sourceOid()), 10_000);
    }

    /** Drops the kept plain table: the conversion can no longer be rolled back. */
    public boolean finish(long id, boolean byOperator) {
        return finish.run(records.get(id), byOperator ? Finish.By.OPERATOR : Finish.By.SERVICE);
    }

    /**
     * Before the cut-over, abandons the conversion; after it, swaps the plain table back with every
     * change made since. Either way the table is not converted again on its own.
     *
     * @return what was done, for the operator
     */
    public String rollback(long id) {
        Conversion c = records.get(id);
        if (c.phase().beforeCutover()) {
            rollback.abandon(id);
            return "abandoned the online conversion of " + c.label() + " (it was " + c.phase().sql() + "): the plain table"
                    + " is as it was, what the conversion had built is dropped; it is converted again only by --convert";
        }
        if (c.phase() != ConversionPhase.CONVERTED) {
            throw new ConversionRefused("the latest conversion of " + c.label() + " is " + c.phase().sql()
                    + ": nothing to roll back (a finished conversion has dropped the plain table)");
        }
        rollback.swapBack(id, new Columns(jdbc.queryForList(Columns.STORED, String.class, c.sourceOid())));
        return "swapped " + c.label() + " back to the plain table with every change made since the cut-over;"
                + " the partitioned table is dropped; it is converted again only by --convert";
    }

    private void makeMissingMonths(Conversion c, Columns columns) {
        String id = io.partwarden.catalog.SqlIdentifier.quote(c.idColumn());
        if (c.phase() == ConversionPhase.BACKFILLING && c.backfillTo() != null) {
            missingMonths.make(c, c.staged(), Backfill.batchKeys(c, id), c.copiedThrough(), c.backfillTo(), pace.rows());
        }
        missingMonths.make(c, c.staged(), Replay.nextKeys(c), c.id(), ChangeCapture.FORWARD, 10_000);
    }

    private void waitForReplicas() {
        if (online.maxReplicaLag().isZero()) {
            return;
        }
        for (int waited = 0; waited < 60; waited++) {
            Double lagMillis;
            try {
                lagMillis = jdbc.queryForObject(REPLICA_LAG, Double.class);
            } catch (RuntimeException e) {
                return; // not readable here: paced by rate alone
            }
            if (lagMillis == null || lagMillis <= online.maxReplicaLag().toMillis()) {
                return;
            }
            if (waited == 0) {
                log.info("Standby replay lag {} ms is over partwarden.migration.online.max-replica-lag: pausing the copy",
                        Math.round(lagMillis));
            }
            LockRetry.pause(Duration.ofSeconds(1), "waiting for standbys to catch up");
        }
    }

    static final String BACKLOG = """
            SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM partwarden.conversion_change WHERE conversion_id = ?""";

    private void logProgress(Conversion c) {
        long now = System.nanoTime();
        if (now - lastProgressLog < PROGRESS_EVERY.toNanos()) {
            return;
        }
        double seconds = lastProgressLog == 0 ? 0 : (now - lastProgressLog) / 1e9;
        long rate = seconds == 0 || c.rowsCopied() < rowsAtLastLog ? 0 : Math.round((c.rowsCopied() - rowsAtLastLog) / seconds);
        long changeRate = seconds == 0 ? 0 : Math.round((changesApplied - changesAtLastLog) / seconds);
        lastProgressLog = now;
        rowsAtLastLog = c.rowsCopied();
        changesAtLastLog = changesApplied;
        Long backlog = jdbc.queryForObject(BACKLOG, Long.class, c.id());
        Long left = c.rowsLeft();
        log.info("{}: {}, {} rows copied{}{}, {} changes waiting{}", c.label(), c.phase().sql(), c.rowsCopied(),
                left == null ? "" : ", about " + left + " left",
                rate == 0 ? "" : ", " + rate + " rows/s" + (left == null ? "" : ", about " + (left / Math.max(1, rate)) + " s to go"),
                backlog, changeRate == 0 ? "" : " (" + changeRate + " applied/s)");
    }

    public List<Conversion> underWay() {
        return records.underWay();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
