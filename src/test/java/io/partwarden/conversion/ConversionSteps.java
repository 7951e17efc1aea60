package io.partwarden.conversion;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.migration.SchemaMigration;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import java.time.Duration;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A MeshHook database (10,000 events over 150 days) that the migration left plain for the online
 * method, and its conversion carried step by step, each step as the driver runs it, to stop at
 * any phase.
 */
final class ConversionSteps {

    static final PartwardenProperties ONLINE = TestProperties.partwarden(Map.of("migration.conversion", "online"));
    static final String RUN = "c0000000-0000-0000-0000-000000000011";

    final JdbcTemplate jdbc;
    final ConversionDriver driver;
    final ConversionRecords records;
    final ConversionTransaction transaction;
    long id;

    private ConversionSteps(TestDatabase db) {
        jdbc = db.jdbc();
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        driver = new ConversionDriver(jdbc, transactions, ONLINE);
        records = driver.records();
        transaction = new ConversionTransaction(jdbc, transactions, records, Duration.ofMillis(500), 5);
    }

    /** MeshHook's schema and events, migrated with the online method: workflow_events stays plain. */
    static ConversionSteps meshHookLeftPlain(TestDatabase db) {
        db.runScript("demo/meshhook.sql");
        db.runScript("demo/meshhook-events.sql");
        SchemaMigration.migrate(db.dataSource(), ONLINE);
        return new ConversionSteps(db);
    }

    Conversion conversion() {
        return records.get(id);
    }

    /** Begun, as the driver begins it: phase preparing. */
    ConversionSteps begin() {
        id = driver.current().orElseThrow().id();
        return this;
    }

    /** Prepared, staged, capturing, and {@code rows} rows copied by one batch: phase backfilling. */
    ConversionSteps backfill(int rows) {
        new Preparation(jdbc, transaction).run(conversion());
        new Staging(jdbc, transaction).run(conversion());
        Backfill backfill = new Backfill(jdbc, transaction, Duration.ofSeconds(10));
        backfill.readBounds(conversion());
        Columns columns = new Columns(jdbc.queryForList(Columns.STORED, String.class, conversion().sourceOid()));
        backfill.copy(conversion(), columns, References.read(jdbc, conversion().sourceOid()), rows);
        return this;
    }

    /** Carried through the cut-over by the driver: phase converted. */
    ConversionSteps convert() {
        Conversion c = driver.advance(id, Duration.ofMinutes(2));
        if (c.phase() != ConversionPhase.CONVERTED) {
            throw new IllegalStateException("not converted within 2 minutes: " + c);
        }
        return this;
    }
}
