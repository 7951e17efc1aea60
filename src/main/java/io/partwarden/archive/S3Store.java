package io.partwarden.archive;

import io.partwarden.config.S3Location;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Archives as objects under an {@link S3Location}: written by multipart upload as a stream,
 * read back as one, listed by prefix. Names are relative to the location's prefix.
 */
public final class S3Store implements ArchiveStore {

    private static final Logger log = LoggerFactory.getLogger(S3Store.class);

    private final S3Client s3;
    private final S3Location location;
    private final int partBytes;

    S3Store(S3Client s3, S3Location location, int partBytes) {
        this.s3 = s3;
        this.location = location;
        this.partBytes = partBytes;
    }

    /**
     * A client for an S3-compatible store. Checksums only where S3 requires them: the SDK's default
     * trailing checksums on chunked uploads are refused by many S3-compatible stores (S3Proxy among
     * them); each part carries its Content-MD5 instead, and the archive is read back whole.
     *
     * @param endpoint null for AWS itself
     * @param region null for the SDK's default chain (AWS_REGION, the profile)
     */
    public static S3Store open(S3Location location, URI endpoint, String region, boolean pathStyle) {
        return open(location, endpoint, region, pathStyle, DefaultCredentialsProvider.builder().build());
    }

    /** As {@link #open(S3Location, URI, String, boolean)}, with credentials of the caller's (tests). */
    static S3Store open(S3Location location, URI endpoint, String region, boolean pathStyle, AwsCredentialsProvider credentials) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        if (region != null) {
            builder.region(Region.of(region));
        } else if (endpoint != null) {
            builder.region(Region.US_EAST_1); // self-hosted stores ignore it, but SigV4 signs one
        }
        return new S3Store(builder.build(), location, S3MultipartOutputStream.PART_BYTES);
    }

    public S3Location location() {
        return location;
    }

    /**
     * Before anything is detached: the bucket exists, and these credentials may write, read and
     * delete under the prefix (a probe object written, read back and deleted); else an {@link
     * ArchiveException} naming which step failed, and why.
     */
    @Override
    public void checkReady(String folder, long bytes, String what) {
        checkReady(what);
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public String describe(String name) {
        return location.uri(name);
    }

    @Override
    public String locate(String name) {
        return location.uri(name);
    }

    @Override
    public String describe() {
        return location.toString();
    }

    /**
     * Uploads as a stream; completed only once {@code writing} returned, aborted if it failed.
     * Uploads of the same object left incomplete (a process killed mid-upload, a store that went
     * away before the abort reached it) are aborted first, so their parts stop costing storage.
     */
    @Override
    public void write(String name, Writing writing) throws IOException {
        abortIncomplete(name);
        S3MultipartOutputStream upload = create(name);
        try {
            writing.to(upload);
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw e;
        }
        upload.close(); // aborts, and says why, if completing fails
    }

    @Override
    public void checkReadable(String what) {
        String step = "reach bucket " + location.bucket();
        try {
            s3.headBucket(r -> r.bucket(location.bucket()));
            step = "list " + location;
            s3.listObjectsV2(r -> r.bucket(location.bucket()).prefix(location.prefix()).maxKeys(1));
        } catch (SdkException e) {
            throw new ArchiveException("cannot archive " + what + " to " + location + " (partwarden.archive.location): could"
                    + " not " + step + ": " + S3Failures.describe(e), e);
        }
    }

    public void checkReady(String what) {
        String step = "reach bucket " + location.bucket();
        String probe = ".partwarden-probe-" + UUID.randomUUID();
        byte[] content = ("partwarden probe " + probe).getBytes(StandardCharsets.UTF_8);
        try {
            s3.headBucket(r -> r.bucket(location.bucket()));
            step = "write " + location.uri(probe);
            s3.putObject(r -> r.bucket(location.bucket()).key(location.key(probe)), RequestBody.fromBytes(content));
            step = "list " + location;
            s3.listObjectsV2(r -> r.bucket(location.bucket()).prefix(location.prefix()).maxKeys(1));
            step = "read " + location.uri(probe);
            byte[] back = s3.getObjectAsBytes(r -> r.bucket(location.bucket()).key(location.key(probe))).asByteArray();
            if (!java.util.Arrays.equals(back, content)) {
                throw new ArchiveException("cannot archive " + what + ": " + location.uri(probe) + " read back other bytes than"
                        + " were written; the store does not keep what it is given");
            }
            step = "delete " + location.uri(probe);
            s3.deleteObject(r -> r.bucket(location.bucket()).key(location.key(probe)));
        } catch (SdkException e) {
            throw new ArchiveException("cannot archive " + what + " to " + location + " (partwarden.archive.location): could"
                    + " not " + step + ": " + S3Failures.describe(e), e);
        }
    }

    /** A stream whose bytes become object {@code name} when it is closed, and nothing if it is {@link #abort aborted}. */
    S3MultipartOutputStream create(String name) {
        return new S3MultipartOutputStream(s3, location.bucket(), location.key(name), partBytes);
    }

    static void abort(OutputStream upload) {
        if (upload instanceof S3MultipartOutputStream multipart) {
            multipart.abort();
        }
    }

    /** The object's bytes as a stream. */
    @Override
    public InputStream open(String name, String what) throws IOException {
        try {
            return s3.getObject(r -> r.bucket(location.bucket()).key(location.key(name)));
        } catch (NoSuchKeyException e) {
            throw new java.nio.file.NoSuchFileException(location.uri(name));
        } catch (SdkException e) {
            throw new IOException("cannot read " + location.uri(name) + ": " + S3Failures.describe(e), e);
        }
    }

    /** The object's size, or -1 if there is none. */
    @Override
    public long size(String name) throws IOException {
        try {
            return s3.headObject(r -> r.bucket(location.bucket()).key(location.key(name))).contentLength();
        } catch (NoSuchKeyException e) {
            return -1;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return -1;
            }
            throw new IOException("cannot read " + location.uri(name) + ": " + S3Failures.describe(e), e);
        } catch (SdkException e) {
            throw new IOException("cannot read " + location.uri(name) + ": " + S3Failures.describe(e), e);
        }
    }

    /** The names under {@code folder} ({@code schema.table/}), relative to the location's prefix. */
    @Override
    public List<String> list(String folder) {
        try {
            return s3.listObjectsV2Paginator(r -> r.bucket(location.bucket()).prefix(location.key(folder))).contents().stream()
                    .map(S3Object::key).map(key -> key.substring(location.prefix().length())).toList();
        } catch (SdkException e) {
            throw new ArchiveException("cannot list " + location.uri(folder) + ": " + S3Failures.describe(e), e);
        }
    }

    @Override
    public List<String> listAll() {
        return list("").stream().sorted().toList();
    }

    private void abortIncomplete(String name) throws IOException {
        String key = location.key(name);
        try {
            s3.listMultipartUploadsPaginator(r -> r.bucket(location.bucket()).prefix(key)).uploads().stream()
                    .filter(u -> u.key().equals(key))
                    .forEach(u -> s3.abortMultipartUpload(r -> r.bucket(location.bucket()).key(key).uploadId(u.uploadId())));
        } catch (S3Exception e) {
            if (e.statusCode() != 403 && e.statusCode() != 501) {
                throw new IOException("uploading " + location.uri(name) + " failed: " + S3Failures.describe(e), e);
            }
            // not allowed to list or abort uploads here (or not supported): the bucket's lifecycle rule
            // for incomplete multipart uploads removes them instead, as the README recommends
            log.debug("cannot abort earlier incomplete uploads of {}: {}", location.uri(name), S3Failures.describe(e));
        } catch (SdkException e) {
            throw new IOException("uploading " + location.uri(name) + " failed: " + S3Failures.describe(e), e);
        }
    }

    /** Multipart uploads begun under the location and neither completed nor aborted. */
    List<String> incompleteUploads() {
        return s3.listMultipartUploadsPaginator(r -> r.bucket(location.bucket()).prefix(location.prefix())).uploads().stream()
                .map(u -> u.key().substring(location.prefix().length())).toList();
    }

    void delete(String name) {
        s3.deleteObject(r -> r.bucket(location.bucket()).key(location.key(name)));
    }

    @Override
    public void close() {
        s3.close();
    }
}
