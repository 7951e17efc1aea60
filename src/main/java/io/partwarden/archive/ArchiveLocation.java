package io.partwarden.archive;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where the archive of one range of one table lives: named by the table and the range alone,
 * so that however often a crashed retirement is resumed, a range has one file and one manifest.
 * {@code {directory}/{schema}.{table}/{lower}_{upper}.copy.gz} and {@code ....manifest.json}.
 */
public record ArchiveLocation(Path directory, TableName table, PartitionBounds bounds) {

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final String DATA_SUFFIX = ".copy.gz";
    static final String MANIFEST_SUFFIX = ".manifest.json";
    static final String PARTIAL_SUFFIX = ".partial";

    public Path folder() {
        return directory.resolve(fileSafe(table.schema()) + "." + fileSafe(table.name()));
    }

    public Path data() {
        return folder().resolve(stem() + DATA_SUFFIX);
    }

    public Path manifest() {
        return folder().resolve(stem() + MANIFEST_SUFFIX);
    }

    /** Where a file is written before it is complete and renamed into place. */
    static Path partial(Path file) {
        return file.resolveSibling(file.getFileName() + PARTIAL_SUFFIX);
    }

    private String stem() {
        return bound(bounds.lower(), "min") + "_" + bound(bounds.upper(), "max");
    }

    private static String bound(Instant at, String infinite) {
        return SqlTime.isInfinite(at) ? infinite : COMPACT.format(at);
    }

    /** Identifiers may hold any character; file names keep letters, digits, '_' and '-', others %-escaped. */
    static String fileSafe(String identifier) {
        StringBuilder safe = new StringBuilder();
        for (byte b : identifier.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                safe.append(c);
            } else {
                safe.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return safe.toString();
    }
}
