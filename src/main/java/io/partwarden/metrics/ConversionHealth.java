package io.partwarden.metrics;

import io.partwarden.conversion.ConversionPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code conversion} detail of a table in the {@code partitions} health component. */
final class ConversionHealth {

    private ConversionHealth() {
    }

    static Map<String, Object> details(ConversionStats c, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        c.problem(now).ifPresent(problem -> details.put("problem", problem));
        details.put("phase", c.phase().sql());
        details.put("rowsCopied", c.rowsCopied());
        if (c.rowsEstimated() != null) {
            details.put("rowsEstimated", c.rowsEstimated());
        }
        if (c.rowsLeft() != null) {
            details.put("rowsLeft", c.rowsLeft());
        }
        if (c.rowsPerSecond() != null) {
            details.put("rowsPerSecond", Math.round(c.rowsPerSecond()));
        }
        if (c.etaSeconds() != null) {
            details.put("eta", Duration.ofSeconds(Math.round(c.etaSeconds())).toString());
        }
        details.put("backlogChanges", c.backlogChanges());
        details.put("cutoverAttempts", c.cutoverAttempts());
        if (c.blocked() != null) {
            details.put("blocked", c.blocked());
        }
        if (c.lastError() != null) {
            details.put("lastError", c.lastError()); // transient, retried: the conversion goes on
            details.put("lastErrorAt", String.valueOf(c.lastErrorAt()));
        }
        details.put("startedAt", c.startedAt().toString());
        details.put("lastProgress", c.updatedAt().toString());
        if (c.cutoverAt() != null) {
            details.put("cutoverAt", c.cutoverAt().toString());
        }
        if (c.phase() == ConversionPhase.CONVERTED) {
            // partitions are not retired while a rollback could still need their rows
            details.put("retention", "retention waits for --finish-conversion"
                    + (c.finishAfter() == null ? "" : " (or " + c.finishAfter() + ", partwarden.migration.online.finish-after)")
                    + "; old table kept as " + c.kept());
        }
        return details;
    }
}
