package io.partwarden.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tmpfs mounted for one test: small, to be full, or read-only, to be unwritable even by root
 * (who ignores file permissions). Mounting needs root, as CI has; elsewhere a test that needs a
 * full volume is skipped with that reason (the free-space check itself is also unit-tested).
 */
public final class SmallVolume implements AutoCloseable {

    private final Path at;

    private SmallVolume(Path at) {
        this.at = at;
    }

    public static SmallVolume mount(Path at, String options) throws IOException, InterruptedException {
        assumeTrue(isRoot(), "mounting a tmpfs needs root");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String said = new String(mount.getInputStream().readAllBytes());
        // as root (as in CI) a mount that fails is a failure, not a reason to skip
        assertThat(mount.waitFor()).as("mount -t tmpfs -o " + options + ": " + said).isZero();
        return new SmallVolume(at);
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", at.toString()).inheritIO().start().waitFor();
    }
}
