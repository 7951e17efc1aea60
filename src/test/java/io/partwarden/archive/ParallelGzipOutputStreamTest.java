package io.partwarden.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Block-parallel gzip gives back exactly what went in, to Java and to gzip(1), at every size around a block. */
class ParallelGzipOutputStreamTest {

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, ParallelGzipOutputStream.BLOCK - 1, ParallelGzipOutputStream.BLOCK,
            ParallelGzipOutputStream.BLOCK + 1, 7 * ParallelGzipOutputStream.BLOCK + 12345})
    void whatIsWrittenDecompressesToTheSameBytesWithJavaAndWithGzip(int size) throws Exception {
        byte[] input = text(size);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(compressed, 6, 3)) {
            // odd-sized writes, so block edges fall inside them
            for (int at = 0; at < input.length; at += 77_777) {
                gzip.write(input, at, Math.min(77_777, input.length - at));
            }
        }

        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(input);
        }
        Path file = Files.write(temp.resolve("archive.gz"), compressed.toByteArray());
        Process gunzip = new ProcessBuilder("gzip", "-dc", file.toString()).redirectErrorStream(true).start();
        byte[] byGzip = gunzip.getInputStream().readAllBytes();
        assertThat(gunzip.waitFor()).isZero();
        assertThat(byGzip).isEqualTo(input);
    }

    @Test
    void afterTheDiskFailsNothingMoreIsWrittenAndEveryCallSaysWhy() throws Exception {
        int[] writes = {0};
        OutputStream fillsAfterTwoMembers = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++writes[0] > 2) {
                    throw new IOException("No space left on device");
                }
            }
        };
        ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(fillsAfterTwoMembers, 6, 2);
        byte[] input = text(10 * ParallelGzipOutputStream.BLOCK);

        assertThatThrownBy(() -> gzip.write(input, 0, input.length)).isInstanceOf(IOException.class)
                .hasMessage("No space left on device");
        int attempted = writes[0];
        assertThatThrownBy(() -> gzip.write(input, 0, 10)).hasMessageContaining("an earlier block failed")
                .hasMessageContaining("No space left on device");
        assertThatThrownBy(gzip::finish).hasMessageContaining("an earlier block failed");
        gzip.close();

        assertThat(writes[0]).as("no member written past the failed one").isEqualTo(attempted);
        assertThat(gzip.isTerminated()).as("its threads have ended").isTrue();
    }

    /** Compressible like COPY text: lines of words and numbers. */
    private static byte[] text(int size) {
        Random random = new Random(size);
        StringBuilder text = new StringBuilder(size + 100);
        while (text.length() < size) {
            text.append(random.nextInt(100_000)).append('\t').append("step.completed\t{\"attempt\": ")
                    .append(random.nextInt(5)).append("}\n");
        }
        return text.substring(0, size).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
