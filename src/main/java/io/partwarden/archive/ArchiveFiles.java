package io.partwarden.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How Partwarden touches what it keeps under the archive directory: never through a symbolic
 * link (one planted there could lead anywhere the service may write or read), and readable by
 * the service's user alone (an archive holds every tenant's rows). The archive directory itself
 * is the operator's and is not checked here.
 */
public final class ArchiveFiles {

    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");

    private static final String NO_LINKS = "Partwarden reads and writes archives only as plain files in real directories,"
            + " never through a link, which could lead out of the archive directory";

    private ArchiveFiles() {
    }

    /**
     * @return true if {@code folder} is a directory, false if it does not exist
     * @throws ArchiveException if it is a symbolic link or not a directory
     */
    static boolean existingFolder(Path folder) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (attributes.isSymbolicLink()) {
            throw new ArchiveException(folder + " is a symbolic link (to " + Files.readSymbolicLink(folder) + "): " + NO_LINKS
                    + "; replace it with a directory");
        }
        if (!attributes.isDirectory()) {
            throw new ArchiveException(folder + " is not a directory; move it away so that Partwarden can make the table's"
                    + " archive folder there");
        }
        return true;
    }

    /**
     * Makes the table's folder, mode 0700, unless it exists as a real directory (a link or a
     * file at its name is refused by {@link #existingFolder}).
     *
     * @return true if it was made now
     */
    static boolean ensureFolder(Path folder) throws IOException {
        if (existingFolder(folder)) {
            return false;
        }
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
        ownerOnly(folder, FOLDER_MODE);
        return true;
    }

    /**
     * A new, empty file, mode 0600, open for writing. Whatever is at its name already (a partial
     * file of a crashed attempt, a link planted there) is removed first, the link itself and not
     * what it points to; the file is then created new, so that a link put back meanwhile makes
     * this fail instead of being followed.
     */
    static FileChannel createNew(Path file) throws IOException {
        Files.deleteIfExists(file);
        FileChannel channel = FileChannel.open(file, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            ownerOnly(file, FILE_MODE);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /**
     * The mode given at creation is masked by the umask: set it again, on the new file itself
     * (not followed if a link), before anything is written into it.
     */
    private static void ownerOnly(Path path, Set<PosixFilePermission> mode) throws IOException {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(mode);
    }

    /**
     * The attributes of an archive's data file or manifest, which must be a plain file.
     *
     * @param what "archive" or "manifest", for the message
     * @throws NoSuchFileException if there is nothing at {@code file}, for the caller to word
     * @throws ArchiveException if it is a symbolic link or not a regular file
     */
    public static BasicFileAttributes regularFile(Path file, String what) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new ArchiveException(what + " " + file + " is a symbolic link (to " + Files.readSymbolicLink(file) + "), refused: "
                    + NO_LINKS);
        }
        if (!attributes.isRegularFile()) {
            throw new ArchiveException(what + " " + file + " is not a regular file");
        }
        return attributes;
    }

    /** Opens a file checked by {@link #regularFile}; a link put at its name since then is refused, not followed. */
    static InputStream open(Path file) throws IOException {
        return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    }
}
