package io.partwarden.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.partwarden.archive.ArchiveWrite;
import io.partwarden.testing.TestProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What archives wrote, as Prometheus reads it: bytes and failures per table and store, there at 0 from start-up. */
class ArchiveMetricsTest {

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void anArchivingTableHasBothSeriesAtZeroBeforeItsFirstArchive() {
        new ArchiveMetrics(registry, TestProperties.partwarden(Map.of("tables[0].name", "workflow_events",
                "tables[0].retention", "12m", "tables[0].on-retire", "archive", "archive.location", "s3://archives/pw")));

        assertThat(registry.scrape())
                .contains("partwarden_archive_written_bytes_total{store=\"s3\",table=\"workflow_events\"} 0.0")
                .contains("partwarden_archive_write_failures_total{store=\"s3\",table=\"workflow_events\"} 0.0");
    }

    @Test
    void writesAddTheirBytesAndFailuresCountOnce() {
        ArchiveMetrics metrics = new ArchiveMetrics(registry, TestProperties.partwarden(Map.of("tables[0].name",
                "workflow_events", "tables[0].retention", "12m", "tables[0].on-retire", "archive", "archive.directory", "/a")));

        metrics.onArchiveWrite(new ArchiveWrite("workflow_events", "directory", 1_000, true));
        metrics.onArchiveWrite(new ArchiveWrite("workflow_events", "directory", 0, false));
        metrics.onArchiveWrite(new ArchiveWrite("workflow_events", "directory", 2_500, true));

        assertThat(registry.scrape())
                .contains("partwarden_archive_written_bytes_total{store=\"directory\",table=\"workflow_events\"} 3500.0")
                .contains("partwarden_archive_write_failures_total{store=\"directory\",table=\"workflow_events\"} 1.0");
    }

    @Test
    void aTableThatDoesNotArchiveHasNoArchiveSeries() {
        new ArchiveMetrics(registry, TestProperties.partwarden(Map.of("tables[0].name", "workflow_events",
                "tables[0].retention", "12m")));

        assertThat(registry.scrape()).doesNotContain("partwarden_archive_");
    }
}
