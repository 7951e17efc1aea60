package io.partwarden.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.partwarden.archive.ArchiveWrite;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What archives wrote to their store ({@code on-retire: archive}), tagged {@code table} and
 * {@code store} ({@code directory} or {@code s3}): {@code partwarden_archive_written_bytes_total}
 * and {@code partwarden_archive_write_failures_total}. Both exist at 0 from start-up for every
 * archiving table, so that {@code rate()} and {@code increase()} see the first write.
 */
@Component
public class ArchiveMetrics {

    private final MeterRegistry registry;

    public ArchiveMetrics(MeterRegistry registry, PartwardenProperties properties) {
        this.registry = registry;
        String store = properties.archive().s3Location() != null ? "s3" : "directory";
        properties.tables().stream().filter(table -> table.onRetire() == OnRetire.ARCHIVE).forEach(table -> {
            written(table.name(), store);
            failures(table.name(), store);
        });
    }

    @EventListener
    public void onArchiveWrite(ArchiveWrite write) {
        if (write.succeeded()) {
            written(write.table(), write.store()).increment(write.bytes());
        } else {
            failures(write.table(), write.store()).increment();
        }
    }

    private Counter written(String table, String store) {
        return Counter.builder("partwarden.archive.written").baseUnit(BaseUnits.BYTES)
                .description("Bytes of archives written whole to their store (compressed), by table and store")
                .tags("table", table, "store", store).register(registry);
    }

    private Counter failures(String table, String store) {
        return Counter.builder("partwarden.archive.write.failures")
                .description("Archive writes that failed (the store unreachable or refusing, a disk full): the table stays"
                        + " detached and whole, and the next pass writes it again")
                .tags("table", table, "store", store).register(registry);
    }
}
