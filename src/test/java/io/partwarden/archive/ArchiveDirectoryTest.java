package io.partwarden.archive;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive directory's checks and their messages, on any machine and as any user. */
class ArchiveDirectoryTest {

    @TempDir
    Path temp;

    @Test
    void lessRoomThanThePartitionTakesIsRefusedWithBothFigures() {
        assertThatThrownBy(() -> ArchiveDirectory.checkReady(temp, Long.MAX_VALUE, "public.events_y2024m01"))
                .isInstanceOf(ArchiveException.class)
                .hasMessageStartingWith("cannot archive public.events_y2024m01: archive directory " + temp
                        + " (partwarden.archive.directory) has ")
                .hasMessageContaining(" MB free, and the partition takes 9223372036854.8 MB before compression");
    }

    @Test
    void aMissingDirectoryAndAFileAreNamed() throws Exception {
        Path file = Files.writeString(temp.resolve("file"), "x");

        assertThatThrownBy(() -> ArchiveDirectory.checkReady(temp.resolve("gone"), 0, "t"))
                .hasMessageContaining(temp.resolve("gone") + " (partwarden.archive.directory) does not exist");
        assertThatThrownBy(() -> ArchiveDirectory.checkReady(file, 0, "t"))
                .hasMessageContaining(file + " (partwarden.archive.directory) is not a directory");
    }
}
