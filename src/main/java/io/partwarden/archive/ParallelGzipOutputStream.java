package io.partwarden.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip with every core, as pigz does: the stream is cut into blocks, each compressed on its own
 * by a pool of threads into a complete gzip member, and the members are written in order. A
 * file of concatenated members is one gzip file (RFC 1952, 2.2): gunzip, zcat and Java's
 * GZIPInputStream read it whole. A block loses only the dictionary of the one before it.
 * After the first failure every call fails with it: no member is ever written past a gap.
 */
final class ParallelGzipOutputStream extends OutputStream {

    static final int BLOCK = 1 << 20;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream out;
    private final int level;
    private final ExecutorService workers;
    private final int inFlight;
    private final Queue<Future<byte[]>> pending = new ArrayDeque<>();
    private final byte[] block = new byte[BLOCK];
    private int filled;
    private boolean wroteAny;
    private boolean finished;
    private IOException failed;

    ParallelGzipOutputStream(OutputStream out, int level, int threads) {
        this.out = out;
        this.level = level;
        this.workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "partwarden-gzip");
            thread.setDaemon(true);
            return thread;
        });
        // blocks waiting or being compressed: enough to keep every thread busy, bounded in memory
        this.inFlight = threads + 2;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        healthy();
        while (length > 0) {
            int n = Math.min(length, BLOCK - filled);
            System.arraycopy(bytes, offset, block, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == BLOCK) {
                submit();
            }
        }
    }

    /** Compresses what is left and writes every member; the stream underneath stays open. */
    void finish() throws IOException {
        healthy();
        if (finished) {
            return;
        }
        if (filled > 0 || !wroteAny) {
            submit(); // an empty archive is still one (empty) member: a valid gzip file
        }
        while (!pending.isEmpty()) {
            writeOldest();
        }
        out.flush();
        finished = true;
    }

    /** Stops the threads; after a failure it writes nothing more. */
    @Override
    public void close() throws IOException {
        try {
            if (failed == null) {
                finish();
            }
        } finally {
            pending.forEach(f -> f.cancel(true));
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether every compressing thread has ended (after {@link #close}). */
    boolean isTerminated() {
        return workers.isTerminated();
    }

    private void healthy() throws IOException {
        if (failed != null) {
            throw new IOException("an earlier block failed, nothing more is written: " + failed.getMessage(), failed);
        }
    }

    private void submit() throws IOException {
        byte[] data = Arrays.copyOf(block, filled);
        pending.add(workers.submit(() -> member(data, level)));
        filled = 0;
        wroteAny = true;
        while (pending.size() >= inFlight) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        try {
            out.write(pending.remove().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new IOException("interrupted while compressing", e));
        } catch (ExecutionException e) {
            throw fail(new IOException("compressing a block failed: " + e.getCause(), e.getCause()));
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private IOException fail(IOException e) {
        failed = e;
        return e;
    }

    /** One block as a complete gzip member: header, deflated data, CRC-32 and length. */
    static byte[] member(byte[] data, int level) {
        Deflater deflater = new Deflater(level, true);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream member = new ByteArrayOutputStream(data.length / 3 + 64);
            member.writeBytes(HEADER);
            byte[] buffer = new byte[1 << 16];
            while (!deflater.finished()) {
                member.write(buffer, 0, deflater.deflate(buffer));
            }
            CRC32 crc = new CRC32();
            crc.update(data);
            writeIntLittleEndian(member, (int) crc.getValue());
            writeIntLittleEndian(member, data.length);
            return member.toByteArray();
        } finally {
            deflater.end(); // its native memory now, not whenever the collector runs
        }
    }

    private static void writeIntLittleEndian(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }
}
