package io.partwarden.command;

import io.partwarden.restore.PartitionRestore;
import io.partwarden.catalog.TableName;
import io.partwarden.cli.CommandLine;
import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * {@code --restore=<manifest>} [{@code --restore-into=<schema.table>}]: the migration (done
 * before this runs), one archive loaded back, then exit: 0 when restored and checked, 1 with
 * the reason otherwise, nothing changed. Without a manifest the command line was refused (exit 2)
 * before start-up.
 */
@Component
@ConditionalOnRunMode(RunMode.RESTORE)
public class RestoreCommand implements ApplicationRunner, ExitCodeGenerator {

    private static final Logger log = LoggerFactory.getLogger(RestoreCommand.class);

    private final PartitionRestore restore;
    private final PartwardenProperties properties;
    private int exitCode;

    public RestoreCommand(PartitionRestore restore, PartwardenProperties properties) {
        this.restore = restore;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        // the command line was checked before start-up: --restore has a manifest, --restore-into goes with it
        CommandLine commandLine = CommandLine.parse(args.getSourceArgs());
        String manifest = commandLine.restore();
        String into = commandLine.restoreInto();
        try {
            PartitionRestore.Restored done = restore.restore(manifest, into == null ? null : TableName.parse(into),
                    properties.archive().restoreLockTimeout());
            log.info("Restored {} rows of {} {} into {}{}; count and checksums match the manifest", done.rows(),
                    done.manifest().table().toTableName(), done.manifest().bounds(), done.into(),
                    done.attached() ? ", attached as its partition again" : "");
            exitCode = ExitCode.OK.code();
        } catch (RuntimeException e) {
            log.error("Restore of {} FAILED, nothing was changed: {}", manifest, rootMessage(e));
            exitCode = ExitCode.FAILED.code();
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
