package io.partwarden.step;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An INSERT that must insert exactly as many rows as {@code count} (a query of one number, run
 * first in the same transaction) says: otherwise the transaction fails, nothing changed.
 */
public record InsertsAll(String count, String insert, String what) implements Operation {

    @Override
    public void run(JdbcTemplate jdbc) {
        Long expected = jdbc.queryForObject(count, Long.class);
        int inserted = jdbc.update(insert);
        if (expected == null || inserted != expected) {
            throw new IllegalStateException(what + " inserted " + inserted + " rows of " + expected
                    + "; rolled back, nothing was changed");
        }
    }

    @Override
    public List<String> printed() {
        return List.of(count, insert, "-- the rows inserted must number the count above, or all of this rolls back");
    }
}
