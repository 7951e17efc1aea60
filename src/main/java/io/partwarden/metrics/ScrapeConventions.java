package io.partwarden.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Makes the whole {@code /actuator/prometheus} scrape pass {@code promtool check metrics}, not
 * only Partwarden's own series. Spring Boot applies a {@link MeterFilter} bean to every registry
 * before any binder registers a meter.
 * <ul>
 * <li>Meters that carry nothing for a sidecar and break a naming rule are dropped: Tomcat's
 *     (sessions: the service serves only the stateless actuator, so they are always 0; no HELP
 *     text), {@code jvm.compilation.time} (JIT time, in milliseconds: {@code _ms} in the name),
 *     {@code process.cpu.time} (in nanoseconds: {@code _ns}; {@code process_cpu_usage} stays) and
 *     {@code system.cpu.count} (a constant whose {@code _count} suffix reads as a summary's).
 *     Their values cannot be rescaled by a filter, and renaming a standard meter would only
 *     mislead the dashboards that know it.</li>
 * <li>Meters registered without a description get one: the HTTP meters Spring's observations
 *     make, by name; any other, a generic one, so that a meter a later library adds cannot
 *     break the scrape (ScrapeConventionsTest checks the whole scrape of a running daemon).</li>
 * </ul>
 */
@Component
public class ScrapeConventions implements MeterFilter {

    static final Set<String> DROPPED = Set.of("jvm.compilation.time", "process.cpu.time", "system.cpu.count");
    static final String DROPPED_PREFIX = "tomcat.";

    static final Map<String, String> DESCRIPTIONS = Map.of(
            "http.server.requests", "HTTP requests the service answered (health, metrics), by method, URI and status",
            "http.server.requests.active", "HTTP requests being answered now");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return DROPPED.contains(id.getName()) || id.getName().startsWith(DROPPED_PREFIX)
                ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
            return id;
        }
        String description = DESCRIPTIONS.getOrDefault(id.getName(),
                "Micrometer's " + id.getName() + " (registered without a description)");
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
