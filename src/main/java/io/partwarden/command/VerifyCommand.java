package io.partwarden.command;

import io.partwarden.meshhook.MeshHookEvents;
import io.partwarden.meshhook.SpecInvariants;
import io.partwarden.maintenance.TableCheck;
import io.partwarden.archive.ArchiveStore;
import io.partwarden.archive.ArchiveStores;
import io.partwarden.archive.ArchiveException;
import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.config.OnRetire;
import io.partwarden.catalog.TableName;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.catalog.VanishedRetirement;
import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.Spelling;
import io.partwarden.conversion.Conversion;
import io.partwarden.conversion.ConversionPhase;
import io.partwarden.conversion.ConversionProgress;
import io.partwarden.conversion.ConversionRecords;
import io.partwarden.migration.MigrationConfiguration.SchemaState;
import io.partwarden.plan.Coverage;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code --verify}: checks the spec's invariants for every table and exits 1 listing what is
 * wrong: partitioned by range on the column, no range from the start of the current interval to
 * the end of {@code premake} intervals ahead without a partition (a gap inside the runway, or a
 * runway too short), every partition carrying every index of the parent (for workflow_events,
 * the spec's three under the spec's names) and the parent's access, the SQL API installed, no
 * retirement left half-way, and an archive directory ready where a table archives. Changes nothing.
 * The events table while an online conversion leaves it plain is told as such (INFO), its
 * partitions unchecked until the cut-over; a blocked conversion is a problem.
 */
@Component
@ConditionalOnRunMode(RunMode.VERIFY)
public class VerifyCommand implements ApplicationRunner, ExitCodeGenerator {

    static final String PARTITIONS_MISSING_INDEXES = """
            SELECT p.partition_name || ' lacks its copy of index ' || pi.relname
              FROM pg_index x JOIN pg_class pi ON pi.oid = x.indexrelid
             CROSS JOIN partwarden.partitions(format('%I.%I', ?, ?)::regclass) p
             WHERE x.indrelid = format('%I.%I', ?, ?)::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_index cx ON cx.indexrelid = i.inhrelid
                                WHERE i.inhparent = x.indexrelid AND cx.indrelid = p.partition)
             ORDER BY 1""";
    static final String RETIREMENTS_UNDER_WAY = """
            SELECT CASE WHEN id = ANY (?)
                        THEN format('retirement of %I.%I is still %s since %s, but the table it began on is gone;'
                                    ' the next pass closes it, touching no table', partition_schema, partition_name, state, updated_at)
                        ELSE format('retirement of %I.%I is still %s since %s; the next pass resumes it',
                                    partition_schema, partition_name, state, updated_at) END
              FROM partwarden.retirement
             WHERE parent_schema = ? AND parent_name = ? AND partwarden.is_under_way(state)
             ORDER BY lower_bound""";

    private final PartwardenProperties properties;
    private final SchemaState schema;
    private final TableCheck tableCheck;
    private final PartitionCatalog catalog;
    private final SpecInvariants spec;
    private final ArchiveStores stores;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final PrintStream out = System.out;
    private int exitCode;

    public VerifyCommand(PartwardenProperties properties, SchemaState schema, TableCheck tableCheck,
                         PartitionCatalog catalog, SpecInvariants spec, ArchiveStores stores, JdbcTemplate jdbc,
                         Clock clock) {
        this.properties = properties;
        this.schema = schema;
        this.tableCheck = tableCheck;
        this.catalog = catalog;
        this.spec = spec;
        this.stores = stores;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> converting = new ArrayList<>();
        schema.pending().forEach(m -> problems.add("migration not applied: " + m));
        if (schema.pending().isEmpty()) {
            problems.addAll(tableCheck.problems(properties));
            if (problems.isEmpty()) {
                properties.tables().forEach(table -> problems.addAll(check(table, notes, converting)));
                problems.addAll(spec.missingSqlApi(properties.eventsSchema()));
            }
        }
        notes.forEach(n -> out.println("INFO " + n));
        problems.forEach(p -> out.println("PROBLEM " + p));
        out.println(problems.isEmpty() ? "OK: every table meets the spec's invariants" + (converting.isEmpty() ? ""
                        : ", but " + String.join(", ", converting) + ", whose partitions are checked once its online"
                                + " conversion has swapped it in")
                : problems.size() == 1 ? "1 problem" : problems.size() + " problems");
        exitCode = (problems.isEmpty() ? ExitCode.OK : ExitCode.FAILED).code();
    }

    /**
     * @param notes what is worth knowing and wrong with nothing: a conversion under way or converted
     * @param converting tables left plain by an online conversion, whose partitions are not checked
     */
    private List<String> check(PartwardenProperties.Table table, List<String> notes, List<String> converting) {
        TableName name = TableName.parse(table.name());
        List<String> problems = new ArrayList<>();
        Optional<String> plain = onlineConversion(name, notes, problems);
        if (plain.isPresent()) {
            converting.add(name.toString());
            problems.addAll(archiveReady(table, name));
            return problems;
        }
        TableSnapshot snapshot = catalog.read(name);
        if (snapshot.distribution().citus()) {
            notes.add(name + " is " + snapshot.distribution().description() + ": its retirements detach plainly, under the"
                    + " lock timeout (Citus refuses DETACH CONCURRENTLY)");
        }
        List<PartitionBounds> covering = snapshot.ranged().stream().filter(p -> !p.detachPending()).map(Partition::bounds).toList();
        Instant coveredUntil = covering.stream().map(PartitionBounds::upper).max(Instant::compareTo).orElse(Instant.MIN);
        for (PartitionBounds gap : Coverage.missing(table, clock.instant(), covering)) {
            problems.add(name + ": " + (gap.lower().isBefore(coveredUntil)
                    ? "coverage gap: no partition covers " + gap + "; rows in it are refused (or caught by a default partition)"
                    : "runway short of " + table.premake() + " " + Spelling.of(table.interval()) + " intervals: no partition for " + gap));
        }
        snapshot.accessDrifts().forEach(drift -> problems.add(name + ": access of " + drift.schema() + "." + drift.name()
                + " differs from the parent's: " + drift.difference() + "; the next pass brings it in line"));
        jdbc.queryForList(PARTITIONS_MISSING_INDEXES, String.class, name.schema(), name.name(), name.schema(), name.name())
                .forEach(p -> problems.add(name + ": " + p));
        if (MeshHookEvents.is(name.schema(), name.name(), properties.eventsSchema())) {
            spec.missingSpecIndexes(name.schema()).forEach(p -> problems.add(name + ": " + p));
        }
        // gone as the catalog read classifies it, the one definition the pass's plan acts on too
        Long[] gone = snapshot.vanishedRetirements().stream().map(VanishedRetirement::retirementId).toArray(Long[]::new);
        jdbc.queryForList(RETIREMENTS_UNDER_WAY, String.class, gone, name.schema(), name.name())
                .forEach(p -> problems.add(name + ": " + p));
        problems.addAll(archiveReady(table, name));
        return problems;
    }

    private List<String> archiveReady(PartwardenProperties.Table table, TableName name) {
        if (table.onRetire() == OnRetire.ARCHIVE) {
            try (ArchiveStore store = stores.configured()) {
                store.checkReadable("retired partitions of " + name);
            } catch (ArchiveException e) {
                return List.of(name + ": " + e.getMessage());
            }
        }
        return List.of();
    }

    /**
     * The events table's online conversion, told in {@code notes} (under way, converted) or
     * {@code problems} (blocked, given up).
     *
     * @return why the table is plain, if it is: its partitions are then not checked
     */
    private Optional<String> onlineConversion(TableName name, List<String> notes, List<String> problems) {
        if (!MeshHookEvents.is(name.schema(), name.name(), properties.eventsSchema())
                || !Boolean.TRUE.equals(jdbc.queryForObject(ConversionDryRun.STATE_INSTALLED, Boolean.class))) {
            return Optional.empty();
        }
        Optional<Conversion> latest = new ConversionRecords(jdbc).latest(name.schema(), name.name());
        if (latest.isPresent() && !latest.get().phase().ended()) {
            Conversion c = latest.get();
            if (c.blocked() != null) {
                problems.add(name + ": the online conversion is blocked (" + c.phase().sql() + "), waiting for the operator: "
                        + c.blocked());
            }
            if (c.phase().beforeCutover()) {
                notes.add(name + ": conversion under way (" + ConversionProgress.describe(c) + ")");
                return Optional.of(c.phase().sql());
            }
            notes.add(name + ": " + ConversionProgress.afterCutover(c));
            return Optional.empty();
        }
        if (!PLAIN.equals(jdbc.queryForObject(KIND, String.class, name.schema(), name.name()))) {
            return Optional.empty();
        }
        if (latest.isPresent() && latest.get().phase().givenUp()) {
            problems.add(name + ": a plain table, not partitioned: its online conversion (conversion " + latest.get().id()
                    + ") was given up by --rollback-conversion, and it is not converted again on its own");
        } else {
            notes.add(name + ": a plain table the service converts online: the migration left it so; the next --once,"
                    + " or the daemon, begins the conversion");
        }
        return Optional.of("plain");
    }

    static final String PLAIN = "r";
    static final String KIND = """
            SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""";

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
