package io.partwarden.archive;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an archive file holds and how to load it back: written beside the file as JSON, read by
 * the verification and by {@code --restore}.
 *
 * @param format the manifest's format, {@value #FORMAT}
 * @param table the partitioned table the partition belonged to
 * @param partition the partition as it was named
 * @param rangeColumn the partition key
 * @param columns the columns of the file, in its order, with their SQL types
 * @param rows rows in the file
 * @param file the data file, beside the manifest
 * @param fileBytes size of the data file
 * @param fileSha256 SHA-256 of the data file as stored (compressed), hex
 * @param contentCrc32c CRC-32C of the COPY text inside it, hex
 * @param copyFormat always {@code text}: COPY's own format, which {@code \copy ... from stdin} reads too
 * @param copySettings session settings under which the text was written and must be read
 * @param recreateDdl the statements that recreate the partition, as Partwarden makes partitions
 * @param retirementId the row of {@code partwarden.retirement} that archived it
 */
public record Manifest(
        String format,
        Table table,
        Table partition,
        String rangeColumn,
        Instant lowerBound,
        Instant upperBound,
        List<Column> columns,
        long rows,
        String file,
        long fileBytes,
        String fileSha256,
        String contentCrc32c,
        String copyFormat,
        Map<String, String> copySettings,
        List<String> recreateDdl,
        long retirementId,
        String serverVersion,
        Instant archivedAt) {

    public static final String FORMAT = "partwarden-archive/1";

    public record Table(String schema, String name) {

        static Table of(TableName name) {
            return new Table(name.schema(), name.name());
        }

        public TableName toTableName() {
            return new TableName(schema, name);
        }
    }

    public record Column(String name, String type) {
    }

    public PartitionBounds bounds() {
        return new PartitionBounds(lowerBound, upperBound);
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    public List<String> columnTypes() {
        return columns.stream().map(Column::type).toList();
    }
}
