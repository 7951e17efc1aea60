package io.partwarden.migration;

import io.partwarden.catalog.Distribution;
import io.partwarden.catalog.NotValidConstraints;
import io.partwarden.catalog.PartitionCatalog;
import io.partwarden.catalog.SqlIdentifier;
import io.partwarden.catalog.TableName;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.meshhook.MeshHookEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Just before migration 3, which creates, converts or adopts workflow_events, installs the
 * conversion's current functions: released migrations are never edited, and migration 3 would
 * otherwise convert with migration 2's, which loop for minutes on a row of infinity. Where the
 * conversion is to be online ({@link ConversionChoice}), it then installs
 * {@link DeferredConversion}'s replacement, so that migration 3 only checks the table and leaves it
 * plain for the service. Migration 3 pending means 8.1 is too (Flyway applies none out of order),
 * and 8.1 installs conversion.sql again, so the replacement never outlives migration 3.
 */
final class ConversionFunctionsBeforeConversion implements Callback {

    private static final Logger log = LoggerFactory.getLogger(ConversionFunctionsBeforeConversion.class);

    static final MigrationVersion CONVERSION = MigrationVersion.fromVersion("3");

    private final PartwardenProperties properties;

    ConversionFunctionsBeforeConversion(PartwardenProperties properties) {
        this.properties = properties;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE && context.getMigrationInfo() != null
                && CONVERSION.equals(context.getMigrationInfo().getVersion());
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        Connection connection = context.getConnection();
        try {
            ConversionFunctions.install(connection);
        } catch (SQLException e) {
            throw new FlywayException("cannot install the conversion's functions before migration 3: " + e.getMessage(), e);
        }
        String events = MeshHookEvents.qualified(properties.eventsSchema());
        Optional<ConversionChoice> choice;
        try {
            choice = DeferredConversion.choose(connection, properties);
        } catch (SQLException e) {
            throw new FlywayException("cannot tell how migration 3 is to convert " + events + ": " + e.getMessage(), e);
        }
        if (choice.isEmpty()) {
            return;
        }
        refuseNotValidConstraints(connection, events);
        refuseCitusTable(connection, events);
        if (!choice.get().online()) {
            log.info("Migration 3 converts {} in place, in one transaction ({})", events, choice.get().reason());
            return;
        }
        log.info("Migration 3 leaves {} a plain table ({}): the service converts it online after the migration",
                events, choice.get().reason());
        try {
            DeferredConversion.install(connection, properties, choice.get());
        } catch (IllegalStateException refused) {
            throw new FlywayException(refused.getMessage());
        } catch (SQLException e) {
            throw new FlywayException("cannot install the online conversion's check before migration 3: " + e.getMessage(), e);
        }
    }

    /** Before migration 3 converts, in place or by deferring it: see {@link NotValidConstraints}. */
    private void refuseNotValidConstraints(Connection connection, String events) {
        try (PreparedStatement read = connection.prepareStatement(NotValidConstraints.REFUSAL)) {
            read.setString(1, SqlIdentifier.qualified(properties.eventsSchema(), MeshHookEvents.TABLE));
            try (ResultSet refusal = read.executeQuery()) {
                if (refusal.next()) {
                    throw new FlywayException("cannot convert " + events + ": " + refusal.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new FlywayException("cannot read the constraints of " + events + ": " + e.getMessage(), e);
        }
    }

    /** Before migration 3 converts a table Citus distributes: see {@link Distribution#conversionRefusal()}. */
    private void refuseCitusTable(Connection connection, String events) {
        TableName table = new TableName(properties.eventsSchema(), MeshHookEvents.TABLE);
        new PartitionCatalog(new JdbcTemplate(new SingleConnectionDataSource(connection, true))).distribution(table)
                .conversionRefusal().ifPresent(refusal -> {
                    throw new FlywayException("cannot convert " + events + ": " + refusal);
                });
    }

    @Override
    public String getCallbackName() {
        return "conversion functions before migration 3";
    }
}
