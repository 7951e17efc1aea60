package io.partwarden.migration;

import java.sql.SQLException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.FlywayException;

/**
 * Just before migration 3, which creates, converts or adopts workflow_events, installs the
 * conversion's current functions: released migrations are never edited, and migration 3 would
 * otherwise convert with migration 2's, which loop for minutes on a row of infinity.
 */
final class ConversionFunctionsBeforeConversion implements Callback {

    static final MigrationVersion CONVERSION = MigrationVersion.fromVersion("3");

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
        try {
            ConversionFunctions.install(context.getConnection());
        } catch (SQLException e) {
            throw new FlywayException("cannot install the conversion's functions before migration 3: " + e.getMessage(), e);
        }
    }

    @Override
    public String getCallbackName() {
        return "conversion functions before migration 3";
    }
}
