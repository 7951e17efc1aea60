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

    private static final jakarta.validation.Validator VALIDATOR =
            jakarta.validation.Validation.buildDefaultValidatorFactory().getValidator();

    private TestProperties() {
    }

    /** @param settings property names without the {@code partwarden.} prefix, e.g. {@code tables[0].premake} */
    public static PartwardenProperties partwarden(Map<String, String> settings) {
        Map<String, String> prefixed = new HashMap<>();
        settings.forEach((key, value) -> prefixed.put("partwarden." + key, value));
        PartwardenProperties properties = new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate("partwarden", PartwardenProperties.class);
        var violations = VALIDATOR.validate(properties);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("invalid test settings " + settings + ": " + violations);
        }
        return properties;
    }

    public static PartwardenProperties defaults() {
        return partwarden(Map.of());
    }

    public static MigrateResult migrate(TestDatabase db) {
        return SchemaMigration.migrate(db.dataSource(), defaults());
    }
}
