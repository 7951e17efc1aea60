package io.partwarden.step;

import java.util.ArrayList;
import java.time.Duration;
import java.util.List;

/**
 * A statement PostgreSQL refuses inside a transaction block or a function ({@code DETACH …
 * CONCURRENTLY}, its {@code FINALIZE}): run alone, its session's lock_timeout set around it.
 *
 * @param onlyIf null if it always runs; else the condition under which it does, printed with it
 */
public record OutsideTransaction(String sql, Duration lockTimeout, String onlyIf) implements Step {

    @Override
    public List<String> printed() {
        List<String> lines = new ArrayList<>();
        if (onlyIf != null) {
            lines.add("-- only if " + onlyIf + ":");
        }
        lines.add("SET lock_timeout = '" + lockTimeout.toMillis() + "ms'");
        lines.add(sql);
        lines.add("RESET lock_timeout");
        return lines;
    }
}
