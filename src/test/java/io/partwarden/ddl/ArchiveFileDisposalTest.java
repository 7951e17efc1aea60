package io.partwarden.ddl;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** {@code on-retire: archive} under the contract every disposal keeps (its crash steps: CrashSafetyTest). */
class ArchiveFileDisposalTest extends DisposalContract {

    @TempDir
    static Path archive;

    @Override
    String onRetire() {
        return "archive";
    }

    @Override
    Map<String, String> modeSettings() {
        return Map.of("archive.directory", archive.toString());
    }
}
