package io.partwarden.maintenance;

import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.TableName;
import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.ddl.PlanExecutor;
import io.partwarden.migration.MigrationConfiguration.SchemaState;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.PartitionPlanner;
import io.partwarden.plan.Plan;
import java.io.PrintStream;
import java.time.Clock;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * {@code --dry-run}: prints, for every table, the plan as the exact SQL the service would run,
 * in order, and changes nothing. Exits 1 if a table could not be planned.
 */
@Component
@ConditionalOnRunMode(RunMode.DRY_RUN)
public class DryRunCommand implements ApplicationRunner, ExitCodeGenerator {

    private final PartwardenProperties properties;
    private final SchemaState schema;
    private final PartitionCatalog catalog;
    private final PlanExecutor executor;
    private final Clock clock;
    private final PrintStream out;
    private int exitCode;

    public DryRunCommand(PartwardenProperties properties, SchemaState schema, PartitionCatalog catalog,
                         PlanExecutor executor, Clock clock) {
        this.properties = properties;
        this.schema = schema;
        this.catalog = catalog;
        this.executor = executor;
        this.clock = clock;
        this.out = System.out;
    }

    @Override
    public void run(ApplicationArguments args) {
        out.println("-- Partwarden dry run at " + clock.instant() + ": nothing below has been run");
        schema.pending().forEach(m -> out.println("-- pending migration, applied first by a real run: " + m));
        for (PartwardenProperties.Table table : properties.tables()) {
            try {
                print(table, PartitionPlanner.plan(table, catalog.read(TableName.parse(table.name())), clock.instant()));
            } catch (RuntimeException e) {
                out.println("-- " + table.name() + ": cannot plan: " + e.getMessage());
                exitCode = ExitCode.FAILED.code();
            }
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
