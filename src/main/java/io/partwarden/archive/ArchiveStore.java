package io.partwarden.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where archives are kept: a directory ({@link DirectoryStore}) or S3-compatible object storage
 * ({@link S3Store}). Names are relative and {@code /}-separated ({@code schema.table/lower_upper.copy.gz}),
 * the same in both, so one writer, one reader and one retirement serve both.
 */
public interface ArchiveStore extends AutoCloseable {

    /** What writes an archive's bytes. */
    interface Writing {
        void to(OutputStream out) throws IOException;
    }

    /** What kind of store: {@code directory} or {@code s3}, as the metrics tag it. */
    String kind();

    /** How an operator finds {@code name}: a path, or an {@code s3://} URI. */
    String describe(String name);

    /** What finds {@code name} again from any process: an absolute path, or an {@code s3://} URI. */
    String locate(String name);

    /** The store itself, for messages: the directory, or {@code s3://bucket/prefix}. */
    String describe();

    /**
     * Before a partition is detached: an archive of about {@code bytes} can be written under
     * {@code folder}, or an {@link ArchiveException} saying why not.
     */
    void checkReady(String folder, long bytes, String what);

    /**
     * For {@code --verify}, which changes nothing: the store is there and may be listed (a
     * directory: exists and is writable, as {@link #checkReady} checks it without a size).
     */
    void checkReadable(String what);

    /**
     * Writes {@code name} whole or not at all: nothing of it is visible under its name until
     * {@code writing} has returned and its bytes are durable; a failure leaves no part behind.
     */
    void write(String name, Writing writing) throws IOException;

    /**
     * Its bytes; {@link java.nio.file.NoSuchFileException} when there is none.
     *
     * @param what "manifest" or "archive", for messages
     */
    InputStream open(String name, String what) throws IOException;

    /** Its size in bytes, or -1 if there is none. */
    long size(String name) throws IOException;

    /** The names under {@code folder} ({@code schema.table/}). */
    List<String> list(String folder) throws IOException;

    /** Every name in the store, each {@code folder/file}, sorted; what {@code --list-archives} reads. */
    List<String> listAll() throws IOException;

    @Override
    void close();
}
