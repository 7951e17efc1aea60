package io.partwarden.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Archives as files under a directory (a volume beside the database): each written under a
 * {@code .partial} name (created new, mode 0600, never through a link), forced to disk and
 * renamed into place, the folder forced too; read only as plain files, never through a link
 * ({@link ArchiveFiles}).
 */
public final class DirectoryStore implements ArchiveStore {

    /** Where a file is written before it is complete and renamed into place. */
    static final String PARTIAL_SUFFIX = ".partial";

    private final Path directory;

    public DirectoryStore(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    public Path path(String name) {
        return directory.resolve(name);
    }

    @Override
    public String kind() {
        return "directory";
    }

    @Override
    public String describe(String name) {
        return path(name).toString();
    }

    @Override
    public String locate(String name) {
        return path(name).toAbsolutePath().toString();
    }

    @Override
    public String describe() {
        return directory.toString();
    }

    @Override
    public void checkReady(String folder, long bytes, String what) {
        ArchiveDirectory.checkReady(directory, bytes, what);
        ArchiveDirectory.checkFolder(path(folder), what);
    }

    @Override
    public void checkReadable(String what) {
        ArchiveDirectory.checkReady(directory, 0, what);
    }

    @Override
    public void write(String name, Writing writing) throws IOException {
        Path target = path(name);
        if (ArchiveFiles.ensureFolder(target.getParent())) {
            forceDirectory(target.getParent().getParent()); // the folder's own entry survives a power cut too
        }
        Path partial = target.resolveSibling(target.getFileName() + PARTIAL_SUFFIX);
        try {
            try (FileChannel channel = ArchiveFiles.createNew(partial);
                 OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                writing.to(out);
                out.flush();
                channel.force(true);
            }
            // rename(2) replaces whatever is at target, a link itself included, without following it
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        forceDirectory(target.getParent());
    }

    @Override
    public InputStream open(String name, String what) throws IOException {
        Path file = path(name);
        ArchiveFiles.regularFile(file, what);
        return ArchiveFiles.open(file);
    }

    @Override
    public long size(String name) throws IOException {
        Path file = path(name);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        return ArchiveFiles.regularFile(file, "archive").size(); // a link there is refused, not followed
    }

    @Override
    public List<String> list(String folder) throws IOException {
        Path dir = path(folder);
        if (!ArchiveFiles.existingFolder(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> folder + (folder.endsWith("/") ? "" : "/") + p.getFileName()).sorted().toList();
        }
    }

    @Override
    public List<String> listAll() throws IOException {
        if (!ArchiveFiles.existingFolder(directory)) {
            throw new ArchiveException("archive directory " + directory + " does not exist");
        }
        List<String> names = new java.util.ArrayList<>();
        try (Stream<Path> folders = Files.list(directory)) {
            for (Path folder : folders.filter(f -> Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                names.addAll(list(folder.getFileName().toString()));
            }
        }
        return names.stream().sorted().toList();
    }

    @Override
    public void close() {
        // nothing held
    }

    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** A file's store and name: its directory, and its file name. */
    static DirectoryStore of(Path file) {
        return new DirectoryStore(file.toAbsolutePath().getParent());
    }

    static String nameOf(Path file) {
        return file.getFileName().toString();
    }
}
