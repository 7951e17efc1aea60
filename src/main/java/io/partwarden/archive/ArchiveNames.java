package io.partwarden.archive;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.SqlTime;
import io.partwarden.catalog.TableName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The names of the archive of one range of one table, by the table and the range alone, so that
 * however often a crashed retirement is resumed a range has one data file (object) and one
 * manifest: {@code {schema}.{table}/{lower}_{upper}.copy.gz} and {@code ….manifest.json}.
 */
public record ArchiveNames(TableName table, PartitionBounds bounds) {

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final String DATA_SUFFIX = ".copy.gz";
    static final String MANIFEST_SUFFIX = ".manifest.json";

    public String folder() {
        return fileSafe(table.schema()) + "." + fileSafe(table.name());
    }

    public String data() {
        return folder() + "/" + stem() + DATA_SUFFIX;
    }

    public String manifest() {
        return folder() + "/" + stem() + MANIFEST_SUFFIX;
    }

    private String stem() {
        return bound(bounds.lower(), "min") + "_" + bound(bounds.upper(), "max");
    }

    private static String bound(Instant at, String infinite) {
        return SqlTime.isInfinite(at) ? infinite : COMPACT.format(at);
    }

    /** The data file a manifest names ({@code manifest.file()}): always beside the manifest. */
    public static String sibling(String manifestName, String file) {
        int slash = manifestName.lastIndexOf('/');
        return slash < 0 ? file : manifestName.substring(0, slash + 1) + file;
    }

    /** Identifiers may hold any character; names keep letters, digits, '_' and '-', others %-escaped. */
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
