package io.partwarden.testing;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.migration.SchemaMigration;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.api.output.MigrateResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Partwarden's configuration bound as Spring binds it, with the defaults it declares. */
public final class TestProperties {

    private TestProperties() {
    }

    /** @param settings property names without the {@code partwarden.} prefix, e.g. {@code tables[0].premake} */
    public static PartwardenProperties partwarden(Map<String, String> settings) {
        Map<String, String> prefixed = new HashMap<>();
        settings.forEach((key, value) -> prefixed.put("partwarden." + key, value));
        return new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate("partwarden", PartwardenProperties.class);
    }

    public static PartwardenProperties defaults() {
        return partwarden(Map.of());
    }

    public static MigrateResult migrate(TestDatabase db) {
        return SchemaMigration.migrate(db.dataSource(), defaults());
    }
}
