package io.partwarden.command;

import io.partwarden.maintenance.TableCheck;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.ddl.PlanExecutor;
import io.partwarden.migration.MigrationConfiguration.SchemaState;
import io.partwarden.migration.MigrationPreview;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.PartitionPlanner;
import io.partwarden.plan.Plan;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * {@code --dry-run}: prints, for every table, the plan as the exact SQL the service would run,
 * in order, and changes nothing. Exits 1 if a table could not be planned. The events table, while
 * an online conversion is to begin or under way, gets the conversion's plan instead
 * ({@link ConversionDryRun}): the pass leaves it to the conversion until the cut-over.
 * <p>
 * On a database the migration has not yet given workflow_events (one Partwarden never ran on),
 * it prints first what the migration would do (create, convert or adopt the table; see
 * {@link MigrationPreview}), then the plan of the first pass as its actions: the first pass acts
 * on the table as the migration leaves it, and the SQL of each action is written by
 * {@code partwarden.partition_ddl}, which only the migration installs. Running the migration in a
 * transaction rolled back afterwards would print that SQL, but it would hold ACCESS EXCLUSIVE on
 * workflow_events for the whole copy, write catalog rows, and fail on a standby; so it prints the
 * actions, and says when the SQL is printed.
 */
@Component
@ConditionalOnRunMode(RunMode.DRY_RUN)
public class DryRunCommand implements ApplicationRunner, ExitCodeGenerator {

    static final String SQL_AFTER_MIGRATION = "the exact SQL is printed once the migration has run: partwarden.partition_ddl,"
            + " which writes it from the table as the migration leaves it, is installed by the migration";

    private final PartwardenProperties properties;
    private final SchemaState schema;
    private final PartitionCatalog catalog;
    private final PlanExecutor executor;
    private final MigrationPreview migration;
    private final TableCheck tableCheck;
    private final ConversionDryRun conversions;
    private final Clock clock;
    private final PrintStream out;
    private int exitCode;

    public DryRunCommand(PartwardenProperties properties, SchemaState schema, PartitionCatalog catalog,
                         PlanExecutor executor, MigrationPreview migration, TableCheck tableCheck,
                         ConversionDryRun conversions, Clock clock) {
        this.properties = properties;
        this.schema = schema;
        this.catalog = catalog;
        this.executor = executor;
        this.migration = migration;
        this.tableCheck = tableCheck;
        this.conversions = conversions;
        this.clock = clock;
        this.out = System.out;
    }

    @Override
    public void run(ApplicationArguments args) {
        out.println("-- Partwarden dry run at " + clock.instant() + ": nothing below has been run");
        schema.pending().forEach(m -> out.println("-- pending migration, applied first by a real run: " + m));
        if (schema.eventsTablePending()) {
            runBeforeMigration(clock.instant());
            return;
        }
        for (PartwardenProperties.Table table : properties.tables()) {
            try {
                Optional<ConversionDryRun.Shown> conversion = conversions.show(TableName.parse(table.name()));
                if (conversion.isPresent()) {
                    out.println();
                    conversion.get().lines().forEach(out::println);
                    if (conversion.get().refused()) {
                        exitCode = ExitCode.FAILED.code();
                    }
                    if (conversion.get().passSkipped()) {
                        continue;
                    }
                }
                print(table, PartitionPlanner.plan(table, catalog.read(TableName.parse(table.name())), clock.instant()));
            } catch (RuntimeException e) {
                out.println("-- " + table.name() + ": cannot plan: " + e.getMessage());
                exitCode = ExitCode.FAILED.code();
            }
        }
    }

    /** What the migration would do, then the first pass's plan on the tables as the migration would leave them. */
    private void runBeforeMigration(Instant now) {
        MigrationPreview.Preview preview = migration.preview(now);
        out.println();
        out.println("-- The migration, which a real run applies first, in one transaction (nothing of it is done here):");
        out.println("--   installs Partwarden's functions and tables in schema partwarden, and the spec's SQL API in schema "
                + preview.events().schema() + " (create_workflow_events_partition, maintain_workflow_events_partitions,"
                + " drop_old_workflow_events_partitions, get_workflow_events_partition_stats, get_workflow_run_events,"
                + " view workflow_events_partition_info)");
        preview.lines().forEach(line -> out.println("--   " + line));
        if (preview.refused()) {
            exitCode = ExitCode.FAILED.code();
        }
        int serverVersion = migration.serverVersion();
        for (int i = 0; i < properties.tables().size(); i++) {
            PartwardenProperties.Table table = properties.tables().get(i);
            TableName name = TableName.parse(table.name());
            try {
                Optional<String> problem = tableCheck.problemBeforeMigration(i, table, preview.events());
                if (problem.isPresent()) {
                    out.println();
                    out.println("-- " + table.name() + ": cannot plan: " + problem.get());
                    exitCode = ExitCode.FAILED.code();
                    continue;
                }
                if (name.equals(preview.events()) && preview.refused()) {
                    out.println();
                    out.println("-- " + table.name() + ": cannot plan: the migration would not run (see above)");
                    exitCode = ExitCode.FAILED.code();
                    continue;
                }
                List<Partition> partitions = name.equals(preview.events()) ? preview.partitionsAfter() : migration.partitions(name);
                TableSnapshot after = new TableSnapshot(name, partitions, List.of(), List.of(), serverVersion, List.of());
                printActions(PartitionPlanner.plan(table, after, now));
            } catch (RuntimeException e) {
                out.println("-- " + table.name() + ": cannot plan: " + e.getMessage());
                exitCode = ExitCode.FAILED.code();
            }
        }
    }

    private void printActions(Plan plan) {
        out.println();
        int count = plan.actions().size();
        out.println("-- " + plan.table() + ", its first pass once the migration has run: "
                + (count == 0 ? "nothing to do" : count == 1 ? "1 action" : count + " actions"));
        plan.notes().forEach(note -> out.println("-- note: " + note));
        plan.uncovered().forEach(gap -> out.println("-- uncovered, cannot be filled: " + gap.range() + ": " + gap.why()));
        plan.actions().forEach(action -> out.println("-- " + action.describe()));
        if (count > 0) {
            out.println("-- " + SQL_AFTER_MIGRATION);
        }
    }

    private void print(PartwardenProperties.Table table, Plan plan) {
        out.println();
        int count = plan.actions().size();
        out.println("-- " + plan.table() + ": " + (count == 0 ? "nothing to do" : count == 1 ? "1 action" : count + " actions"));
        plan.notes().forEach(note -> out.println("-- note: " + note));
        plan.uncovered().forEach(gap -> out.println("-- uncovered, cannot be filled: " + gap.range() + ": " + gap.why()));
        for (PartitionAction action : plan.actions()) {
            out.println("-- " + action.describe());
            executor.statements(action, table).forEach(statement ->
                    out.println(statement.startsWith("--") ? statement : statement + ";"));
        }
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
