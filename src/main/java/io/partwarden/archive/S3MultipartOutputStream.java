package io.partwarden.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * An object written as a stream: a multipart upload whose parts are sent as each fills, one
 * sending while the next fills (two part buffers, never the whole archive), so the COPY and the
 * compression go on during an upload. Each part carries its Content-MD5, which the store checks on
 * receipt, refusing a part that arrived otherwise (its ETag is not compared: with SSE-KMS or SSE-C,
 * S3's ETag is no MD5); {@link #close} completes the upload, and only then does the object exist,
 * whole. {@link #abort} (on any failure of the writer) abandons it: no object, no parts left
 * stored. The upload begins with the first full part; an object smaller than a part is sent by
 * one PUT, also with its Content-MD5.
 */
final class S3MultipartOutputStream extends OutputStream {

    /** S3's smallest part but the last is 5 MiB; 8 MiB keeps requests few and memory small. */
    static final int PART_BYTES = 8 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final List<CompletedPart> parts = new ArrayList<>();
    private byte[] part;
    /** The buffer of the part being sent, reused once that is done. */
    private byte[] sending;
    private int filled;
    private String uploadId;
    private ExecutorService sender;
    private Future<CompletedPart> inFlight;
    private long bytes;
    private boolean closed;

    S3MultipartOutputStream(S3Client s3, String bucket, String key, int partBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.part = new byte[partBytes];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        requireOpen();
        while (length > 0) {
            int n = Math.min(length, part.length - filled);
            System.arraycopy(bytes, offset, part, filled, n);
            filled += n;
            offset += n;
            length -= n;
            this.bytes += n;
            if (filled == part.length) {
                sendPart();
            }
        }
    }

    /** Bytes written so far. */
    long bytes() {
        return bytes;
    }

    /** Completes the object: after this it exists, whole; before it, it does not. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (uploadId == null) {
                String md5 = md5(part, filled);
                s3.putObject(r -> r.bucket(bucket).key(key).contentMD5(md5), RequestBody.fromBytes(java.util.Arrays.copyOf(part, filled)));
                return;
            }
            if (filled > 0) {
                sendPart();
            }
            awaitInFlight();
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (IOException e) { // a part failed: the upload is aborted already, the message names the part
            abortQuietly();
            throw e;
        } catch (SdkException e) {
            abortQuietly();
            throw new IOException("uploading " + key + " to bucket " + bucket + " failed: " + S3Failures.describe(e), e);
        } finally {
            stopSender();
        }
    }

    /**
     * Abandons the upload: the parts sent are deleted by the store, no object appears. A part still
     * being sent is let finish first (a cancelled request can still arrive, after the abort, and
     * some stores then keep it).
     */
    void abort() {
        closed = true;
        if (sender != null) {
            sender.shutdown();
            try {
                sender.awaitTermination(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        inFlight = null;
        abortQuietly();
        stopSender();
    }

    /** Hands the filled part to the sender once the part before it has arrived, and fills the other buffer meanwhile. */
    private void sendPart() throws IOException {
        try {
            if (uploadId == null) {
                uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
                sender = Executors.newSingleThreadExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "s3-upload " + key);
                    thread.setDaemon(true);
                    return thread;
                });
            }
        } catch (SdkException e) {
            closed = true;
            throw new IOException("starting the upload of " + key + " to bucket " + bucket + " failed: " + S3Failures.describe(e), e);
        }
        awaitInFlight();
        int number = parts.size() + 1;
        byte[] full = part;
        int length = filled;
        String id = uploadId;
        inFlight = sender.submit(() -> {
            String md5 = md5(full, length);
            UploadPartResponse sent = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(id).partNumber(number)
                    .contentMD5(md5), RequestBody.fromContentProvider(() -> new ByteArrayInputStream(full, 0, length), length,
                    "application/octet-stream")); // read from the buffer itself: fromBytes would copy 8 MiB more per part
            return CompletedPart.builder().partNumber(number).eTag(sent.eTag()).build();
        });
        part = sending != null ? sending : new byte[full.length];
        sending = full;
        filled = 0;
    }

    /** The part being sent has arrived, or the upload is aborted and why is thrown. */
    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            parts.add(inFlight.get());
            inFlight = null;
        } catch (ExecutionException e) {
            inFlight = null;
            closed = true;
            abortQuietly();
            Throwable cause = e.getCause();
            throw new IOException("uploading part " + (parts.size() + 1) + " of " + key + " to bucket " + bucket + " failed: "
                    + S3Failures.describe(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
            abort();
            throw new java.io.InterruptedIOException("interrupted while part " + (parts.size() + 1) + " of " + key + " was sent");
        }
    }

    private void stopSender() {
        if (sender != null) {
            sender.shutdownNow();
            sender = null;
        }
    }
    private void abortQuietly() {
        if (uploadId != null) {
            String id = uploadId;
            uploadId = null;
            try {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(id));
            } catch (SdkException ignored) {
                // the store is unreachable: its lifecycle rule for incomplete uploads, or the next attempt's listing, removes them
            }
        }
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException("the upload of " + key + " is closed");
        }
    }

    private static String md5(byte[] bytes, int length) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(bytes, 0, length);
            return Base64.getEncoder().encodeToString(md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
