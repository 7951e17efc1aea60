package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partwarden's schema is trusted only if it, and everything in it, belongs to the service's role
 * or a superuser and no other role may create in it: whoever could change it could replace a
 * function the service then runs as itself. And a first run that fails leaves no schema behind
 * for a later run to trust.
 */
@VersionSensitive
class SchemaTrustTest {

    TestDatabase db;
    String other;

    @BeforeEach
    void freshDatabaseAndAnotherRole() {
        db = TestDatabase.create("SchemaTrustTest");
        other = ("pw_other_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
        db.execute("CREATE ROLE " + other + " NOLOGIN");
    }

    @AfterEach
    void dropThem() {
        db.execute("DROP OWNED BY " + other + "; DROP ROLE " + other);
        db.close();
    }

    @Test
    void aSchemaOwnedByAnotherRoleBeforeTheFirstRunIsRefusedAndNothingIsInstalledInIt() {
        db.execute("CREATE SCHEMA partwarden AUTHORIZATION " + other);

        assertThatThrownBy(() -> TestProperties.migrate(db))
                .hasMessageContaining("refusing to use schema partwarden")
                .hasMessageContaining("schema partwarden belongs to role " + other);
        assertThat(db.jdbc().queryForObject("SELECT count(*) FROM pg_proc WHERE pronamespace = 'partwarden'::regnamespace",
                Long.class)).isZero();
        assertThat(db.jdbc().queryForObject("SELECT to_regclass('public.workflow_events') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    void anotherRoleAllowedToCreateInTheSchemaIsRefused() {
        TestProperties.migrate(db);
        db.execute("GRANT CREATE ON SCHEMA partwarden TO " + other);

        assertThatThrownBy(() -> TestProperties.migrate(db))
                .hasMessageContaining("role " + other + " may create objects in schema partwarden");
        db.execute("REVOKE CREATE ON SCHEMA partwarden FROM " + other);
    }

    @Test
    void aFunctionInTheSchemaOwnedByAnotherRoleIsRefused() {
        TestProperties.migrate(db);
        db.execute("ALTER FUNCTION partwarden.qualified(regclass) OWNER TO " + other);

        assertThatThrownBy(() -> TestProperties.migrate(db))
                .hasMessageContaining("function partwarden.qualified(tbl regclass) belongs to role " + other);
        db.execute("ALTER FUNCTION partwarden.qualified(regclass) OWNER TO CURRENT_USER");
    }

    @Test
    void aFirstRunThatFailsLeavesNoSchemaBehind() {
        // the conversion refuses a table a view depends on, in the third migration
        db.execute("""
                CREATE TABLE public.workflow_events (id bigserial PRIMARY KEY, run_id uuid NOT NULL, ts timestamptz NOT NULL,
                                                     type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL);
                CREATE VIEW public.recent_events AS SELECT * FROM public.workflow_events""");

        assertThatThrownBy(() -> TestProperties.migrate(db)).hasMessageContaining("views depend on it");
        assertThat(db.jdbc().queryForObject("SELECT to_regnamespace('partwarden') IS NULL", Boolean.class)).isTrue();
        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'public.workflow_events'::regclass",
                String.class)).isEqualTo("r");
    }

    @Test
    void aSchemaTheOperatorMadeForTheServicesRoleIsUsed() {
        db.execute("CREATE SCHEMA partwarden AUTHORIZATION CURRENT_USER");

        TestProperties.migrate(db);

        assertThat(db.jdbc().queryForObject("SELECT relkind::text FROM pg_class WHERE oid = 'public.workflow_events'::regclass",
                String.class)).isEqualTo("p");
    }
}
