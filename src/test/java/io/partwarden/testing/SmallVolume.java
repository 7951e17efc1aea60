package io.partwarden.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tmpfs mounted for one test: small, to be full, or read-only, to be unwritable even by root
 * (who ignores file permissions). Mounting needs root, as CI has; elsewhere the test is skipped
 * with that reason.
 */
public final class SmallVolume implements AutoCloseable {

    private final Path at;

    private SmallVolume(Path at) {
        this.at = at;
    }

    public static SmallVolume mount(Path at, String options) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String said = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here: " + said);
        return new SmallVolume(at);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", at.toString()).inheritIO().start().waitFor();
    }
}
