package io.partwarden.archive;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * The COPY text of an archive, decompressed as it is read, with the file's checksum and the
 * content's checksum and rows taken on the way; {@link #check} then compares them with the
 * manifest. Verification drains it; restore feeds it to {@code COPY ... FROM STDIN} and checks
 * before it commits, so both read an archive the same way.
 */
public final class ArchiveReader extends FilterInputStream {

    private final String data;
    private final Manifest manifest;
    private final MessageDigest fileSha256;
    private final InputStream file;
    private final ContentDigest content = new ContentDigest();
    private boolean ended;

    private ArchiveReader(InputStream decompressed, InputStream file, String data, Manifest manifest, MessageDigest fileSha256) {
        super(decompressed);
        this.file = file;
        this.data = data;
        this.manifest = manifest;
        this.fileSha256 = fileSha256;
    }

    /** The data beside manifest {@code manifestName} in {@code store}, to be read through and {@link #check checked}. */
    public static ArchiveReader open(ArchiveStore store, String manifestName, Manifest manifest) {
        String name = ArchiveNames.sibling(manifestName, manifest.file());
        String data = store.describe(name);
        try {
            long size = store.size(name);
            if (size < 0) {
                throw new ArchiveException("archive " + data + ", which manifest " + store.describe(manifestName)
                        + " names, does not exist");
            }
            if (size != manifest.fileBytes()) {
                throw new ArchiveException("archive " + data + " is " + size + " bytes, its manifest says "
                        + manifest.fileBytes() + ": truncated or replaced");
            }
            MessageDigest sha = ContentDigest.sha256();
            InputStream file = new DigestInputStream(new BufferedInputStream(store.open(name, "archive"), 1 << 16), sha);
            try {
                return new ArchiveReader(new GZIPInputStream(file, 1 << 16), file, data, manifest, sha);
            } catch (IOException | RuntimeException e) {
                file.close(); // not a gzip file: nothing else will close it
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new ArchiveException("archive " + data + ", which manifest " + store.describe(manifestName)
                    + " names, does not exist");
        } catch (IOException e) {
            throw corrupt(data, e);
        }
    }

    /** Reads the whole archive beside manifest {@code manifestName} and checks it against the manifest. */
    public static Manifest verify(ArchiveStore store, String manifestName) {
        Manifest manifest = ManifestFile.read(store, manifestName);
        try (ArchiveReader reader = open(store, manifestName, manifest)) {
            reader.transferTo(java.io.OutputStream.nullOutputStream());
            reader.check(reader.content.rows());
        } catch (IOException e) {
            throw new ArchiveException("cannot read archive of " + store.describe(manifestName) + ": " + e, e);
        }
        return manifest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException e) {
            throw corrupt(data, e);
        }
        if (n > 0) {
            content.update(buffer, offset, n);
        } else if (n < 0) {
            ended = true;
        }
        return n;
    }

    /**
     * After the whole stream was read: the file's and the content's checksums and the rows must
     * be the manifest's, and {@code loadedRows} (what the reader of the stream counted) too.
     */
    public void check(long loadedRows) {
        if (!ended) {
            throw new ArchiveException("archive " + data + " was not read to its end");
        }
        try {
            file.transferTo(java.io.OutputStream.nullOutputStream()); // whatever follows the compressed stream counts too
        } catch (IOException e) {
            throw corrupt(data, e);
        }
        String fileSha = HexFormat.of().formatHex(fileSha256.digest());
        if (!fileSha.equals(manifest.fileSha256())) {
            throw new ArchiveException("archive " + data + " is corrupt: its SHA-256 is " + fileSha + ", the manifest says "
                    + manifest.fileSha256());
        }
        if (content.rows() != manifest.rows() || loadedRows != manifest.rows()) {
            throw new ArchiveException("archive " + data + " holds " + content.rows() + " rows (" + loadedRows
                    + " loaded), its manifest says " + manifest.rows());
        }
        String contentCrc = content.hex();
        if (!contentCrc.equals(manifest.contentCrc32c())) {
            throw new ArchiveException("archive " + data + " is corrupt: the CRC-32C of its rows is " + contentCrc
                    + ", the manifest says " + manifest.contentCrc32c());
        }
    }

    private static ArchiveException corrupt(String data, IOException e) {
        return new ArchiveException("archive " + data + " is truncated or corrupt: " + e.getMessage(), e);
    }
}
