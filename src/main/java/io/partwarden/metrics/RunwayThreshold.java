package io.partwarden.metrics;

import io.partwarden.catalog.PartitionBounds;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.IntervalCalendar;
import java.time.Duration;
import java.time.Instant;

/** How much runway a table must keep: {@code partwarden.health.runway-threshold}, or one interval. */
final class RunwayThreshold {

    private RunwayThreshold() {
    }

    static Duration of(PartwardenProperties properties, PartwardenProperties.Table table, Instant now) {
        if (properties.health().runwayThreshold() != null) {
            return properties.health().runwayThreshold();
        }
        IntervalCalendar calendar = new IntervalCalendar(table.interval(), table.timeZone());
        PartitionBounds current = calendar.bounds(calendar.start(now));
        return Duration.between(current.lower(), current.upper());
    }
}
