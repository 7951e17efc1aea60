package io.partwarden.ddl;

import io.partwarden.archive.ArchiveException;
import io.partwarden.archive.ArchiveNames;
import io.partwarden.archive.ArchiveReader;
import io.partwarden.archive.ArchiveStore;
import io.partwarden.archive.ArchiveStores;
import io.partwarden.archive.ArchiveWrite;
import io.partwarden.archive.ArchiveWriter;
import io.partwarden.archive.Manifest;
import io.partwarden.archive.ManifestFile;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.failpoint.Failpoint;
import io.partwarden.step.Check;
import io.partwarden.step.Operation;
import io.partwarden.step.Statement;
import io.partwarden.step.Step;
import io.partwarden.step.Transaction;
import io.partwarden.step.Work;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code on-retire: archive}: between detach and drop, guard the detached table against changes,
 * write it to a file (state {@code archived}), read the file back against the manifest and the
 * table (state {@code verified}); drop it only from {@code verified}, its row count still the
 * archive's. Each step starts from the recorded state, so a crash repeats at most the step it
 * interrupted, into the same file.
 */
@Component
public class ArchiveFileDisposal implements Disposal {

    private static final Logger log = LoggerFactory.getLogger(ArchiveFileDisposal.class);

    static final String GUARD_DDL = "SELECT partwarden.archive_guard_ddl(?, ?)";
    static final String ARCHIVED_ROWS = """
            SELECT archive_rows FROM partwarden.retirement
             WHERE partition_schema = ? AND partition_name = ? AND state = ?""";

    private final ArchiveWriter writer;
    private final PartitionDdl creation;
    private final RetirementLog retirements;
    private final RetiredTableDdl ddl;
    private final JdbcTemplate jdbc;
    private final ArchiveStores stores;
    private final PartwardenProperties.Archive settings;
    private final ApplicationEventPublisher events;

    public ArchiveFileDisposal(ArchiveWriter writer, PartitionDdl creation, RetirementLog retirements, RetiredTableDdl ddl,
                               JdbcTemplate jdbc, ArchiveStores stores, PartwardenProperties properties,
                               ApplicationEventPublisher events) {
        this.writer = writer;
        this.creation = creation;
        this.retirements = retirements;
        this.ddl = ddl;
        this.jdbc = jdbc;
        this.stores = stores;
        this.settings = properties.archive();
        this.events = events;
    }

    @Override
    public OnRetire mode() {
        return OnRetire.ARCHIVE;
    }

    /** A bad directory, or an archive of another retirement in the way, leaves the partition attached. */
    @Override
    public void checkBeforeDetach(TableName table, Partition partition) {
        checkReady(table, partition, null);
    }

    @Override
    public List<Step> afterDetach(TableName table, Partition partition, PartwardenProperties.Table config,
                                  RetirementState state) {
        List<Step> steps = new ArrayList<>();
        boolean toWrite = state == null || state == RetirementState.DETACHING || state == RetirementState.DETACHED;
        if (toWrite) {
            String guard = jdbc.queryForObject(GUARD_DDL, String.class, partition.schema(), partition.name());
            if (guard != null) { // refuses new and changed rows from now until the drop
                steps.add(new Transaction("guard " + partition.name() + " while it is archived", config.lockTimeout(),
                        config.maxAttempts(), List.of(new Statement(guard))));
            }
            ArchiveNames names = names(table, partition);
            String data;
            String manifest;
            try (ArchiveStore store = stores.configured()) {
                data = store.describe(names.data());
                manifest = store.describe(names.manifest());
            }
            steps.add(new Work("archive " + partition.name(), List.of("-- archive: " + writer.copyStatement(partition) + "  >  "
                    + data + " (gzip level " + settings.compressionLevel() + "), manifest " + manifest),
                    () -> ensureArchived(table, partition, config.name())));
        }
        steps.add(new Work("verify the archive of " + partition.name(), List.of(toWrite || state == RetirementState.ARCHIVED
                ? "-- then read the file back: its rows and SHA-256 must match the manifest and the table, or the table is kept"
                : "-- the verified archive's files must still be there, whole, or the table is kept and archived again"),
                () -> ensureVerified(partition)));
        return steps;
    }

    @Override
    public List<Operation> dispose(TableName table, Partition partition, PartwardenProperties.Table config) {
        return List.of(
                new Check("its row count must still be the archive's, or it is kept and archived again",
                        () -> checkUnchangedSinceArchived(partition)),
                new Check("recorded in partwarden.retirement: dropped, only from verified", () -> {
                    if (retirements.advance(partition, RetirementState.DROPPED, RetirementState.VERIFIED) != 1) {
                        throw new IllegalStateException(partition.schema() + "." + partition.name()
                                + " is not dropped: its retirement has no verified archive");
                    }
                }),
                new Statement(ddl.drop(partition)));
    }

    /** Rows deleted since the archive was verified: archived again by the next pass. */
    @Override
    public void afterRollback(Partition partition, RuntimeException failure) {
        if (failure instanceof ArchiveChanged) {
            retirements.advance(partition, RetirementState.DETACHED, RetirementState.VERIFIED);
        }
    }

    /**
     * Before anything changes: the directory can take the archive, and no archive of another
     * retirement holds this range (it would be overwritten). {@code retirementId} is null
     * before the retirement begins.
     *
     * @return the partition's size on disk, which the directory was asked to have room for
     */
    private long checkReady(TableName table, Partition partition, Long retirementId) {
        try (ArchiveStore store = stores.configured()) {
            return checkReady(store, table, partition, retirementId);
        }
    }

    private long checkReady(ArchiveStore store, TableName table, Partition partition, Long retirementId) {
        String what = partition.schema() + "." + partition.name();
        long tableBytes = writer.sizeOnDisk(partition);
        ArchiveNames names = names(table, partition);
        store.checkReady(names.folder(), tableBytes, what);
        long existingBytes;
        try {
            existingBytes = store.size(names.manifest()); // a link there is refused
        } catch (java.io.IOException e) {
            throw new ArchiveException("cannot archive " + what + ": " + e.getMessage(), e);
        }
        if (existingBytes >= 0) {
            Manifest existing = ManifestFile.read(store, names.manifest());
            if (retirementId == null || existing.retirementId() != retirementId) {
                throw new ArchiveException("cannot archive " + what + ": " + store.describe(names.manifest()) + " already holds an"
                        + " archive of " + partition.bounds() + " of " + table + " (retirement " + existing.retirementId() + ", "
                        + existing.archivedAt() + "), which this would overwrite; move its two files elsewhere first (a restore leaves"
                        + " them where they are)");
            }
        }
        return tableBytes;
    }

    /** Writes the detached table to its archive, unless the recorded state says that is done. */
    private void ensureArchived(TableName table, Partition partition, String configured) {
        RetirementLog.Entry entry = entry(partition);
        if (entry.state() != RetirementState.DETACHED) {
            return;
        }
        try (ArchiveStore store = stores.configured()) {
            long tableBytes = checkReady(store, table, partition, entry.id());
            ArchiveNames names = names(table, partition);
            long started = System.nanoTime();
            Manifest manifest;
            try {
                manifest = writer.write(store, names, table, partition,
                        creation.partitionStatements(table, partition.name(), partition.bounds()), entry.id(),
                        settings.compressionLevel(), settings.compressionThreadsOrDefault());
            } catch (RuntimeException e) {
                events.publishEvent(new ArchiveWrite(configured, store.kind(), 0, false));
                throw e;
            }
            events.publishEvent(new ArchiveWrite(configured, store.kind(), manifest.fileBytes(), true));
            Failpoint.reach("archive.written");
            retirements.archived(partition, store.locate(names.manifest()), manifest);
            double seconds = (System.nanoTime() - started) / 1e9;
            log.info("{}.{}: {} rows, {} MB of table, archived to {} ({} bytes) in {} s: {} MB/s", partition.schema(),
                    partition.name(), manifest.rows(), mb(tableBytes), store.describe(names.data()), manifest.fileBytes(),
                    String.format("%.2f", seconds), mb(tableBytes / seconds));
        }
        Failpoint.reach("archive.recorded");
    }

    /** Reads the archive back once; after that, before the drop, checks its files are still there, whole. */
    private void ensureVerified(Partition partition) {
        RetirementLog.Entry entry = entry(partition);
        if (entry.state() == RetirementState.ARCHIVED) {
            long started = System.nanoTime();
            verify(partition, entry);
            log.info("{}.{}: archive read back and verified in {} s", partition.schema(), partition.name(),
                    String.format("%.2f", (System.nanoTime() - started) / 1e9));
            retirements.advance(partition, RetirementState.VERIFIED, RetirementState.ARCHIVED);
            Failpoint.reach("archive.verified");
            entry = entry(partition);
        }
        if (entry.state() == RetirementState.VERIFIED) {
            stillThere(partition, entry);
        } else {
            throw new IllegalStateException(partition.schema() + "." + partition.name() + " has no verified archive (its"
                    + " retirement is " + entry.state().sql() + "); it is kept");
        }
    }

    /**
     * In the drop's transaction, the table locked, before the DROP: count it again. Its new
     * rows and changes were refused since the guard went on; a DELETE would show here, and the
     * archive then no longer holds the table: the retirement goes back to archiving it.
     */
    private void checkUnchangedSinceArchived(Partition partition) {
        Long archived = jdbc.queryForObject(ARCHIVED_ROWS, Long.class, partition.schema(), partition.name(),
                RetirementState.VERIFIED.sql());
        long rows = ddl.count(partition);
        if (archived == null || rows != archived) {
            throw new ArchiveChanged(partition.schema() + "." + partition.name() + " holds " + rows + " rows, its archive "
                    + archived + ": rows were deleted since it was archived; it is not dropped, and the next pass archives it again");
        }
    }

    /** A verified archive that no longer matches its table. */
    static final class ArchiveChanged extends ArchiveException {
        ArchiveChanged(String message) {
            super(message);
        }
    }

    private void verify(Partition partition, RetirementLog.Entry entry) {
        String what = partition.schema() + "." + partition.name();
        try (ArchiveStores.Stored stored = stores.manifest(entry.archiveManifest())) {
            Manifest manifest = ArchiveReader.verify(stored.store(), stored.name());
            if (manifest.retirementId() != entry.id() || !manifest.fileSha256().equals(entry.archiveSha256())) {
                throw new ArchiveException(entry.archiveManifest() + " is not the archive retirement " + entry.id() + " wrote");
            }
            long rows = ddl.count(partition);
            if (rows != manifest.rows()) {
                throw new ArchiveException(stored.store().describe(ArchiveNames.sibling(stored.name(), manifest.file())) + " holds "
                        + manifest.rows() + " rows, the table " + rows);
            }
        } catch (ArchiveException e) {
            retirements.advance(partition, RetirementState.DETACHED, RetirementState.ARCHIVED);
            throw new ArchiveException("the archive of " + what + " failed verification; the table is kept as it is and"
                    + " the next pass archives it again: " + e.getMessage(), e);
        }
    }

    /** Verified once, read in full; before the drop the data must still be there, whole in size. */
    private void stillThere(Partition partition, RetirementLog.Entry entry) {
        try (ArchiveStores.Stored stored = stores.manifest(entry.archiveManifest())) {
            Manifest manifest = ManifestFile.read(stored.store(), stored.name());
            String data = ArchiveNames.sibling(stored.name(), manifest.file());
            if (stored.store().size(data) != manifest.fileBytes() || !manifest.fileSha256().equals(entry.archiveSha256())) {
                throw new ArchiveException(stored.store().describe(data) + " is missing or changed");
            }
        } catch (ArchiveException | java.io.IOException e) {
            retirements.advance(partition, RetirementState.DETACHED, RetirementState.VERIFIED);
            throw new ArchiveException("the verified archive of " + partition.schema() + "." + partition.name()
                    + " is gone or changed since (" + e.getMessage() + "); the table is kept and archived again next pass", e);
        }
    }

    private static String mb(double bytes) {
        return String.format("%.1f", bytes / 1_000_000);
    }

    private RetirementLog.Entry entry(Partition partition) {
        return retirements.underWay(partition).orElseThrow(() -> new IllegalStateException(
                "no retirement of " + partition.schema() + "." + partition.name() + " is under way"));
    }

    private static ArchiveNames names(TableName table, Partition partition) {
        return new ArchiveNames(table, partition.bounds());
    }
}
