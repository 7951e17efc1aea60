package io.partwarden.migration;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The facts of {@link ConversionFactsContract}, the table converted in place by the migration. */
@VersionSensitive
class MeshHookConversionTest extends ConversionFactsContract {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    @Override
    TestDatabase db() {
        return database.get();
    }

    @Override
    void convert() {
        TestProperties.migrate(db());
    }
}
