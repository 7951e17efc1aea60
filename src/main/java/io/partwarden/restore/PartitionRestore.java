package io.partwarden.restore;

import io.partwarden.archive.ArchiveException;
import io.partwarden.archive.ArchiveNames;
import io.partwarden.archive.ArchiveReader;
import io.partwarden.archive.ArchiveStores;
import io.partwarden.archive.ArchiveWriter;
import io.partwarden.archive.Manifest;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import io.partwarden.step.LockRetry;
import io.partwarden.ddl.PartitionDdl;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Loads an archive back, in one transaction that commits only if the rows loaded are the
 * manifest's in number and checksum: as the partition it was, attached again, when the table
 * still has that range free; otherwise into a table the operator names. The archive is read
 * in full and checked before anything is created.
 */
@Component
public class PartitionRestore {

    private static final Logger log = LoggerFactory.getLogger(PartitionRestore.class);

    static final String TABLE_EXISTS = "SELECT to_regclass(format('%I.%I', ?, ?)) IS NOT NULL";
    static final String IS_PARTITIONED = """
            SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = format('%I.%I', ?, ?)::regclass)""";
    static final String OVERLAPPING = """
            SELECT format('%I.%I', schema_name, partition_name) || ' [' || lower_bound || ', ' || upper_bound || ')'
              FROM partwarden.partitions(format('%I.%I', ?, ?)::regclass)
             WHERE NOT is_default AND lower_bound < ? AND upper_bound > ?""";
    static final String RESTORE_TABLE_DDL = "SELECT partwarden.restore_table_ddl(?, ?, ?, ?)";
    /** A table made to hold restored rows gets a partition's access (the archive's table's, else its owner's alone). */
    static final String PROTECT = """
            SELECT partwarden.protect_retired_rows(to_regclass(format('%I.%I', ?, ?)), format('%I.%I', ?, ?)::regclass)""";

    /** What a restore did. */
    public record Restored(Manifest manifest, TableName into, boolean attached, long rows) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ArchiveWriter archives;
    private final PartitionDdl creation;
    private final ArchiveStores stores;

    public PartitionRestore(JdbcTemplate jdbc, TransactionTemplate transactions, ArchiveWriter archives,
                            PartitionDdl creation, ArchiveStores stores) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.archives = archives;
        this.creation = creation;
        this.stores = stores;
    }

    /**
     * @param into the table to load into instead of the partition; null to recreate the partition
     * @param lockTimeout how long the ATTACH may wait for its lock (it blocks no writer meanwhile)
     */
    public Restored restore(Path manifestPath, TableName into, Duration lockTimeout) {
        return restore(manifestPath.toString(), into, lockTimeout);
    }

    /** @param manifestPath a file path or an {@code s3://bucket/key} URI */
    public Restored restore(String manifestPath, TableName into, Duration lockTimeout) {
        try (ArchiveStores.Stored stored = stores.manifest(manifestPath)) {
            return restore(stored, manifestPath, into, lockTimeout);
        }
    }

    private Restored restore(ArchiveStores.Stored stored, String manifestPath, TableName into, Duration lockTimeout) {
        Manifest manifest = ArchiveReader.verify(stored.store(), stored.name());
        TableName table = manifest.table().toTableName();
        TableName target = into != null ? into : new TableName(table.schema(), manifest.partition().name());
        boolean attach = into == null;
        if (attach) {
            requireRangeFree(manifestPath, manifest, table, target);
        }
        boolean create = !exists(target);
        if (!create) {
            requireColumns(manifestPath, manifest, target);
        } else if (!attach) {
            log.info("creating {} with the archive's columns", target);
        }
        long rows = transactions.execute(status -> {
            List<String> ddl = !create ? List.of()
                    : attach ? creation.partitionStatements(table, target.name(), manifest.bounds())
                    : List.of(jdbc.queryForObject(RESTORE_TABLE_DDL, String.class, target.schema(), target.name(),
                    manifest.columnNames().toArray(String[]::new), manifest.columnTypes().toArray(String[]::new)));
            int attachAt = attach ? indexOfAttach(ddl) : ddl.size();
            ddl.subList(0, attachAt).forEach(this::run);
            if (create && !attach) {
                // before any row arrives: default privileges must not open them to roles the parent's policies restrict
                jdbc.queryForList(PROTECT, table.schema(), table.name(), target.schema(), target.name());
            }
            long loaded = load(stored, manifestPath, manifest, target);
            if (attachAt < ddl.size()) {
                LockRetry.setLocalLockTimeout(jdbc, lockTimeout);
                ddl.subList(attachAt, ddl.size()).forEach(this::run);
            }
            return loaded;
        });
        return new Restored(manifest, target, attach, rows);
    }

    private void run(String statement) {
        log.info("{}", statement);
        jdbc.execute(statement);
    }

    /** COPY in, under the settings the archive was written with; the check rolls everything back on a mismatch. */
    private long load(ArchiveStores.Stored stored, String manifestPath, Manifest manifest, TableName target) {
        archives.applyCopySettings();
        String copy = archives.copy(target.schema(), target.name(), manifest.columnNames(), "in");
        log.info("{}  <  {}", copy, stored.store().describe(ArchiveNames.sibling(stored.name(), manifest.file())));
        return jdbc.execute((Connection connection) -> {
            try (ArchiveReader reader = ArchiveReader.open(stored.store(), stored.name(), manifest)) {
                long rows = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copy, reader);
                reader.check(rows);
                return rows;
            } catch (IOException e) {
                throw new SQLException("loading " + manifestPath + " failed: " + e.getMessage(), e);
            }
        });
    }

    private void requireRangeFree(String manifestPath, Manifest manifest, TableName table, TableName partition) {
        String hint = "; give a table to load it into with --restore-into=<schema.table>";
        if (!exists(table)) {
            throw new ArchiveException("cannot restore " + manifestPath + " as a partition: its table " + table
                    + " does not exist" + hint);
        }
        if (!Boolean.TRUE.equals(jdbc.queryForObject(IS_PARTITIONED, Boolean.class, table.schema(), table.name()))) {
            throw new ArchiveException("cannot restore " + manifestPath + " as a partition: " + table + " is not partitioned" + hint);
        }
        requireColumns(manifestPath, manifest, table);
        List<String> overlapping = jdbc.queryForList(OVERLAPPING, String.class, table.schema(), table.name(),
                SqlTime.sql(manifest.upperBound()), SqlTime.sql(manifest.lowerBound()));
        if (!overlapping.isEmpty()) {
            throw new ArchiveException("cannot restore " + manifestPath + " as a partition: its range " + manifest.bounds()
                    + " is taken by " + String.join(", ", overlapping) + hint);
        }
        if (exists(partition)) {
            throw new ArchiveException("cannot restore " + manifestPath + " as a partition: a table named " + partition
                    + " exists already" + hint);
        }
    }

    /** The table must have every column of the archive, of the same type: else this archive is not of it. */
    private void requireColumns(String manifestPath, Manifest manifest, TableName target) {
        Map<String, String> has = archives.columns(target.schema(), target.name()).stream()
                .collect(Collectors.toMap(Manifest.Column::name, Manifest.Column::type));
        List<String> mismatches = manifest.columns().stream()
                .filter(column -> !column.type().equals(has.get(column.name())))
                .map(column -> has.containsKey(column.name())
                        ? column.name() + " is " + has.get(column.name()) + ", not " + column.type()
                        : "no column " + column.name() + " " + column.type())
                .toList();
        if (!mismatches.isEmpty()) {
            throw new ArchiveException(manifestPath + " is an archive of " + manifest.table().toTableName() + " that "
                    + target + " cannot take: " + String.join("; ", mismatches));
        }
    }

    private boolean exists(TableName table) {
        return Boolean.TRUE.equals(jdbc.queryForObject(TABLE_EXISTS, Boolean.class, table.schema(), table.name()));
    }

    /** Rows are loaded into the standalone table before it is attached, so the parent's lock is held only at the end. */
    private static int indexOfAttach(List<String> ddl) {
        for (int i = 0; i < ddl.size(); i++) {
            if (ddl.get(i).contains(" ATTACH PARTITION ")) {
                return i;
            }
        }
        throw new IllegalStateException("partition_ddl returned no ATTACH: " + ddl);
    }
}
