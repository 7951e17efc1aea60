package io.partwarden.maintenance;

import java.time.Instant;

/** Published after every pass, for metrics and for the statistics behind health. */
public record PassFinished(PassReport report, Instant at) {
}
