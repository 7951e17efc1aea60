package io.partwarden.restore;

import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * {@code --restore=<manifest>} [{@code --restore-into=<schema.table>}]: the migration (done
 * before this runs), one archive loaded back, then exit: 0 when restored and checked, 1 with
 * the reason otherwise, nothing changed.
 */
@Component
@ConditionalOnProperty("restore")
public class RestoreCommand implements ApplicationRunner, ExitCodeGenerator {

    private static final Logger log = LoggerFactory.getLogger(RestoreCommand.class);

    private final PartitionRestore restore;
    private final Environment environment;
    private final PartwardenProperties properties;
    private int exitCode;

    public RestoreCommand(PartitionRestore restore, Environment environment, PartwardenProperties properties) {
        this.restore = restore;
        this.environment = environment;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        String manifest = environment.getProperty("restore", "");
        if (manifest.isBlank()) {
            log.error("--restore needs the path of an archive manifest: --restore=/archive/public.workflow_events/"
                    + "20240101T000000Z_20240201T000000Z.manifest.json");
            exitCode = 2;
            return;
        }
        String into = environment.getProperty("restore-into");
        try {
            PartitionRestore.Restored done = restore.restore(Path.of(manifest), into == null ? null : TableName.parse(into),
                    properties.archive().restoreLockTimeout());
            log.info("Restored {} rows of {} {} into {}{}; count and checksums match the manifest", done.rows(),
                    done.manifest().table().toTableName(), done.manifest().bounds(), done.into(),
                    done.attached() ? ", attached as its partition again" : "");
            exitCode = 0;
        } catch (RuntimeException e) {
            log.error("Restore of {} FAILED, nothing was changed: {}", manifest, rootMessage(e));
            exitCode = 1;
        }
    }

    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException) {
                message = message + " (" + cause.getMessage() + ")";
                break;
            }
        }
        return message;
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
