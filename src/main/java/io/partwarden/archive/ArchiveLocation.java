package io.partwarden.archive;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableName;
import java.nio.file.Path;

/**
 * Where the archive of one range of one table lives under an archive directory: {@link
 * ArchiveNames} resolved there. {@code {directory}/{schema}.{table}/{lower}_{upper}.copy.gz} and
 * {@code ....manifest.json}.
 */
public record ArchiveLocation(Path directory, TableName table, PartitionBounds bounds) {

    static final String PARTIAL_SUFFIX = ".partial";

    public ArchiveNames names() {
        return new ArchiveNames(table, bounds);
    }

    public Path folder() {
        return directory.resolve(names().folder());
    }

    public Path data() {
        return directory.resolve(names().data());
    }

    public Path manifest() {
        return directory.resolve(names().manifest());
    }

    /** Where a file is written before it is complete and renamed into place. */
    static Path partial(Path file) {
        return file.resolveSibling(file.getFileName() + PARTIAL_SUFFIX);
    }

    static String fileSafe(String identifier) {
        return ArchiveNames.fileSafe(identifier);
    }
}
