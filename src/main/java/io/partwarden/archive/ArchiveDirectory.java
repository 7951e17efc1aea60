package io.partwarden.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before a partition is detached, that its archive can be written: the directory
 * exists, this process may create files in it, and it has room; the table's folder in it, if
 * any, is a real directory. A retirement that would fail here does not begin, so the partition
 * stays attached.
 */
public final class ArchiveDirectory {

    static final String PROPERTY = "partwarden.archive.directory";

    private ArchiveDirectory() {
    }

    /**
     * @param neededBytes room to ask for: the partition's size on disk before compression,
     *     which its compressed COPY practically never exceeds
     */
    public static void checkReady(Path directory, long neededBytes, String what) {
        if (!Files.exists(directory)) {
            throw new ArchiveException("cannot archive " + what + ": archive directory " + directory + " (" + PROPERTY
                    + ") does not exist; create it or mount the volume there");
        }
        if (!Files.isDirectory(directory)) {
            throw new ArchiveException("cannot archive " + what + ": " + directory + " (" + PROPERTY + ") is not a directory");
        }
        try {
            Files.delete(Files.createTempFile(directory, ".partwarden-probe-", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new ArchiveException("cannot archive " + what + ": archive directory " + directory + " (" + PROPERTY
                    + ") is not writable by this process (user " + System.getProperty("user.name") + "): " + e, e);
        }
        long free;
        try {
            free = Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw new ArchiveException("cannot archive " + what + ": cannot tell the free space of " + directory + ": " + e, e);
        }
        if (free < neededBytes) {
            throw new ArchiveException("cannot archive " + what + ": archive directory " + directory + " (" + PROPERTY
                    + ") has " + megabytes(free) + " free, and the partition takes " + megabytes(neededBytes)
                    + " before compression; free some space or give the archive a larger volume");
        }
    }

    /**
     * The table's own folder under the directory, {@code {schema}.{table}}, if it exists already,
     * must be a real directory: archives are never written through a link.
     */
    public static void checkFolder(Path folder, String what) {
        try {
            ArchiveFiles.existingFolder(folder);
        } catch (ArchiveException e) {
            throw new ArchiveException("cannot archive " + what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ArchiveException("cannot archive " + what + ": cannot read " + folder + ": " + e, e);
        }
    }

    static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1_000_000.0);
    }
}
