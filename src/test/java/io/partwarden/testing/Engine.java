package io.partwarden.testing;

import io.partwarden.archive.ArchiveStores;
import io.partwarden.archive.ArchiveWriter;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.ddl.ArchiveFileDisposal;
import io.partwarden.ddl.ArchiveTableDisposal;
import io.partwarden.ddl.ConcurrentDetach;
import io.partwarden.ddl.Disposal;
import io.partwarden.ddl.DropDisposal;
import io.partwarden.ddl.KeepDetachedDisposal;
import io.partwarden.ddl.RetiredTableDdl;
import io.partwarden.ddl.RetirementLog;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.ddl.PartitionAccess;
import io.partwarden.ddl.PartitionDdl;
import io.partwarden.ddl.PartitionRetirement;
import io.partwarden.ddl.PlanExecutor;
import io.partwarden.maintenance.MaintenancePass;
import io.partwarden.maintenance.MaintenanceStatus;
import io.partwarden.maintenance.PassLock;
import io.partwarden.maintenance.PassRunner;
import io.partwarden.metrics.PartitionStatsReader;
import io.partwarden.restore.PartitionRestore;
import java.time.Clock;
import io.partwarden.step.StepRunner;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The service's maintenance objects wired as Spring wires them, on a test database. */
public record Engine(PartwardenProperties properties, PartitionCatalog catalog, PlanExecutor executor,
                     MaintenancePass pass, MaintenanceStatus status, PassRunner runner) {

    /** The statistics reader behind metrics and health, on a test database. */
    public static PartitionStatsReader statsOn(TestDatabase db) {
        return new PartitionStatsReader(new JdbcTemplate(db.dataSource()),
                new TransactionTemplate(new DataSourceTransactionManager(db.dataSource())), TestProperties.defaults(),
                Clock.systemUTC());
    }

    /** {@code --restore}'s worker on a test database. */
    public static PartitionRestore restoreOn(TestDatabase db) {
        return restoreOn(db, Map.of());
    }

    /** {@code --restore}'s worker with these settings (an S3 endpoint, say). */
    public static PartitionRestore restoreOn(TestDatabase db, Map<String, String> settings) {
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        return new PartitionRestore(jdbc, transactions, new ArchiveWriter(jdbc, transactions, Clock.systemUTC()),
                new PartitionDdl(jdbc, new StepRunner(jdbc, transactions)),
                new ArchiveStores(TestProperties.partwarden(settings)));
    }

    public static Engine on(TestDatabase db, Map<String, String> settings) {
        return on(db, settings, event -> { });
    }

    /** As {@link #on(TestDatabase, Map)}, the events the disposals publish (archives written) going to {@code events}. */
    public static Engine on(TestDatabase db, Map<String, String> settings, ApplicationEventPublisher events) {
        PartwardenProperties properties = TestProperties.partwarden(settings);
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        PartitionCatalog catalog = new PartitionCatalog(jdbc);
        Clock clock = Clock.systemUTC();
        StepRunner steps = new StepRunner(jdbc, transactions);
        RetirementLog retirements = new RetirementLog(jdbc);
        RetiredTableDdl retired = new RetiredTableDdl(jdbc);
        PartitionDdl creation = new PartitionDdl(jdbc, steps);
        List<Disposal> disposals = List.of(new DropDisposal(retired, retirements), new KeepDetachedDisposal(jdbc, retirements),
                new ArchiveTableDisposal(jdbc, new PartitionCatalog(jdbc), retired, retirements),
                new ArchiveFileDisposal(new ArchiveWriter(jdbc, transactions, clock), creation, retirements, retired, jdbc,
                        new ArchiveStores(properties), properties, events));
        PlanExecutor executor = new PlanExecutor(creation,
                new PartitionRetirement(jdbc, retirements, new ConcurrentDetach(jdbc, steps), retired, disposals),
                new PartitionAccess(jdbc), steps);
        MaintenancePass pass = new MaintenancePass(properties, catalog, executor,
                new io.partwarden.conversion.ConversionDriver(jdbc, transactions, properties), clock);
        MaintenanceStatus status = new MaintenanceStatus();
        PassRunner runner = new PassRunner(new PassLock(jdbc, properties), pass, status, clock, event -> { });
        return new Engine(properties, catalog, executor, pass, status, runner);
    }
}
