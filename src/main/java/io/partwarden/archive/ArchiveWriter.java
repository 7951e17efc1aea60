package io.partwarden.archive;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.TableName;
import io.partwarden.failpoint.Failpoint;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Streams a detached partition through the driver's CopyManager ({@code COPY ... TO STDOUT}:
 * nothing is written on the database server) into a gzip file compressed on every core, taking
 * its checksums on the way,
 * then writes the manifest. Both files are written under a {@code .partial} name, flushed to
 * disk and renamed into place, the data first: a manifest never describes a file that is not
 * whole, and a crash leaves at most a partial file that the next attempt removes and makes anew.
 */
@Component
public class ArchiveWriter {

    static final String COLUMNS = "SELECT column_name, column_type FROM partwarden.archive_columns(format('%I.%I', ?, ?)::regclass)";
    static final String COPY_DDL = "SELECT partwarden.copy_ddl(?, ?, ?, ?)";
    static final String RANGE_COLUMN = "SELECT partwarden.range_key_column(format('%I.%I', ?, ?)::regclass)";
    static final String SERVER_VERSION = "SELECT current_setting('server_version')";
    static final String SET_LOCAL = "SELECT set_config(?, ?, true)";
    static final String TABLE_BYTES = "SELECT pg_table_size(format('%I.%I', ?, ?)::regclass)";

    /** Settings that fix how COPY's text spells values, so that the same rows give the same bytes anywhere. */
    public static final Map<String, String> COPY_SETTINGS = copySettings();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    public ArchiveWriter(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** The partition's size on disk (table and TOAST), the room its archive is asked to find. */
    public long sizeOnDisk(Partition partition) {
        return jdbc.queryForObject(TABLE_BYTES, Long.class, partition.schema(), partition.name());
    }

    /** The columns an archive of the table holds, in order, with their types (generated ones left out). */
    public List<Manifest.Column> columns(String schema, String table) {
        return jdbc.query(COLUMNS, (row, n) -> new Manifest.Column(row.getString(1), row.getString(2)), schema, table);
    }

    /** The COPY statement an archive of the partition runs, for the dry run too. */
    public String copyStatement(Partition partition) {
        return copy(partition.schema(), partition.name(), columnNames(columns(partition.schema(), partition.name())), "out");
    }

    /** In the current transaction, the settings under which COPY's text is written and read: {@link #COPY_SETTINGS}. */
    public void applyCopySettings() {
        COPY_SETTINGS.forEach((name, value) -> jdbc.queryForObject(SET_LOCAL, String.class, name, value));
    }

    /** {@code COPY schema.table (columns) TO STDOUT} ({@code out}) or {@code FROM STDIN} ({@code in}), quoted by the database. */
    public String copy(String schema, String table, List<String> columns, String direction) {
        return jdbc.queryForObject(COPY_DDL, String.class, schema, table, columns.toArray(String[]::new), direction);
    }

    /**
     * Archives the detached table {@code partition}, once a partition of {@code table}, to
     * {@code location}; the table is only read.
     *
     * @param recreateDdl the statements that make the partition again, for the manifest
     */
    /**
     * Archives the detached table {@code partition}, once a partition of {@code table}, into
     * {@code store} under {@code names}: the data first, then the manifest, each whole or not at
     * all, so a manifest never describes data that is not there in full. The table is only read.
     *
     * @param recreateDdl the statements that make the partition again, for the manifest
     */
    public Manifest write(ArchiveStore store, ArchiveNames names, TableName table, Partition partition, List<String> recreateDdl,
                          long retirementId, int compressionLevel, int threads) {
        List<Manifest.Column> columns = columns(partition.schema(), partition.name());
        String copy = copy(partition.schema(), partition.name(), columnNames(columns), "out");
        String rangeColumn = jdbc.queryForObject(RANGE_COLUMN, String.class, table.schema(), table.name());
        try {
            Written written = writeData(store, names.data(), copy, compressionLevel, threads);
            String file = names.data().substring(names.data().lastIndexOf('/') + 1);
            Manifest manifest = new Manifest(Manifest.FORMAT, Manifest.Table.of(table),
                    new Manifest.Table(partition.schema(), partition.name()), rangeColumn, partition.bounds().lower(),
                    partition.bounds().upper(), columns, written.rows(), file, written.bytes(),
                    written.fileSha256(), written.contentCrc32c(), "text", COPY_SETTINGS, recreateDdl, retirementId,
                    jdbc.queryForObject(SERVER_VERSION, String.class), clock.instant());
            store.write(names.manifest(), out -> out.write(ManifestFile.toJson(manifest).getBytes(StandardCharsets.UTF_8)));
            return manifest;
        } catch (IOException | RuntimeException e) {
            // the archive's own failure (a full disk, a store gone) is thrown as it is (copyOut); a database
            // failure comes wrapped by the driver and by Spring: name the cause itself
            throw new ArchiveException("writing the archive of " + partition.schema() + "." + partition.name() + " to "
                    + store.describe(names.data()) + " failed, the table is kept and the next pass tries again: "
                    + (e instanceof IOException ? e.toString() : NestedExceptionUtils.getMostSpecificCause(e)), e);
        }
    }

    private record Written(long rows, long bytes, String fileSha256, String contentCrc32c) {
    }

    private Written writeData(ArchiveStore store, String data, String copy, int compressionLevel, int threads) throws IOException {
        MessageDigest fileSha = ContentDigest.sha256();
        ContentDigest content = new ContentDigest();
        long[] rows = new long[1];
        long[] bytes = new long[1];
        store.write(data, file -> {
            OutputStream counted = new FilterOutputStream(file) {
                @Override
                public void write(byte[] buffer, int offset, int length) throws IOException {
                    bytes[0] += length;
                    out.write(buffer, offset, length);
                }
            };
            // the gzip stream leaves the file open: the store still completes it (forced to disk, or the upload finished)
            try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(new DigestOutputStream(counted, fileSha),
                    compressionLevel, threads)) {
                OutputStream digesting = new FilterOutputStream(gzip) {
                    @Override
                    public void write(byte[] buffer, int offset, int length) throws IOException {
                        content.update(buffer, offset, length);
                        out.write(buffer, offset, length);
                    }
                };
                rows[0] = copyOut(copy, digesting);
                gzip.finish();
            }
            if (rows[0] != content.rows()) { // before it is in place: what is in place is whole
                throw new IOException("COPY reported " + rows[0] + " rows but sent " + content.rows());
            }
            Failpoint.reach("archive.partial");
        });
        return new Written(rows[0], bytes[0], HexFormat.of().formatHex(fileSha.digest()), content.hex());
    }

    /**
     * COPY out in a read-only transaction whose settings fix the text of every value. When the
     * archive's side fails (a full disk, a store gone), that failure is thrown: the driver cancels
     * the COPY by a cancel request, which can reach the transaction's ROLLBACK too, and that
     * error would otherwise hide the cause.
     */
    private long copyOut(String copy, OutputStream to) throws IOException {
        IOException[] writing = new IOException[1];
        try {
            return transactions.execute(status -> {
                status.setRollbackOnly();
                applyCopySettings();
                return jdbc.execute((Connection connection) -> {
                    try {
                        return connection.unwrap(PGConnection.class).getCopyAPI().copyOut(copy, to);
                    } catch (IOException e) {
                        writing[0] = e;
                        throw new SQLException("COPY out failed writing the archive: " + e.getMessage(), e);
                    }
                });
            });
        } catch (RuntimeException e) {
            if (writing[0] != null) {
                writing[0].addSuppressed(e);
                throw writing[0];
            }
            throw e;
        }
    }

    private static List<String> columnNames(List<Manifest.Column> columns) {
        return columns.stream().map(Manifest.Column::name).toList();
    }

    private static Map<String, String> copySettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("DateStyle", "ISO, YMD");
        settings.put("IntervalStyle", "postgres");
        settings.put("TimeZone", "UTC");
        settings.put("extra_float_digits", "3");
        settings.put("bytea_output", "hex");
        return java.util.Collections.unmodifiableMap(settings);
    }
}
