package io.partwarden.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own database: {@code @RegisterExtension static final FreshDatabase db = new FreshDatabase();}
 * creates it before the class's first test and drops it after the last.
 */
public final class FreshDatabase implements BeforeAllCallback, AfterAllCallback {

    private TestDatabase database;

    @Override
    public void beforeAll(ExtensionContext context) {
        database = TestDatabase.create(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        database.close();
    }

    public TestDatabase get() {
        if (database == null) {
            throw new IllegalStateException("the database exists only while the test class runs");
        }
        return database;
    }
}
