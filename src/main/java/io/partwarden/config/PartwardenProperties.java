package io.partwarden.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything Partwarden is told, under {@code partwarden.*}. Bound and validated at start-up:
 * a wrong value stops the service with a message that names the property.
 *
 * @param eventsSchema schema holding MeshHook's {@code workflow_events}, which the migration
 *     creates, converts or adopts, and where the spec's SQL API functions are installed
 * @param migration how the migration waits for locks
 * @param tables the partitioned tables to maintain; by default {@code workflow_events}
 */
@Validated
@ConfigurationProperties("partwarden")
public record PartwardenProperties(
        @DefaultValue("public") @NotBlank
        @Pattern(regexp = "[^\"'\\\\]{1,63}", message = "must be a schema name of 1 to 63 characters without quotes or backslashes")
        String eventsSchema,
        @DefaultValue @Valid Migration migration,
        @Valid List<@Valid Table> tables) {

    public PartwardenProperties {
        if (tables == null || tables.isEmpty()) {
            tables = List.of(Table.named(eventsSchema + ".workflow_events"));
        }
    }

    /**
     * @param lockTimeout how long each attempt waits for the conversion's locks; keep it below
     *     the server's deadlock_timeout (1 s by default) so a lock cycle with a writer makes
     *     the migration, not the writer, give way
     * @param lockAttempts attempts before the migration gives up, changing nothing
     * @param sqlApiLockTimeout the lock wait the spec's SQL functions use when their caller has
     *     set no lock_timeout (as under pg_cron)
     */
    public record Migration(
            @DefaultValue("500ms") @NotNull Duration lockTimeout,
            @DefaultValue("40") @Min(1) @Max(1000) int lockAttempts,
            @DefaultValue("2s") @NotNull Duration sqlApiLockTimeout) {
    }

    /**
     * @param name the partitioned table, optionally schema-qualified; case is kept as written
     * @param premake months to keep made ahead of the current one
     * @param lockTimeout how long a partition change waits for a lock before it is retried
     * @param maxAttempts attempts per partition change before it is reported as failed
     */
    public record Table(
            @NotBlank String name,
            @DefaultValue("3") @Min(0) @Max(1000) int premake,
            @DefaultValue("500ms") @NotNull Duration lockTimeout,
            @DefaultValue("5") @Min(1) @Max(100) int maxAttempts) {

        static Table named(String name) {
            return new Table(name, 3, Duration.ofMillis(500), 5);
        }
    }
}
