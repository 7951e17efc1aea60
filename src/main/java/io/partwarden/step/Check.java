package io.partwarden.step;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A check or a record in the service's own bookkeeping, in the transaction: it fails the
 * transaction (rolled back, nothing changed) or writes {@code partwarden.*}; printed as what it
 * makes sure of, since it changes no table the action acts on.
 */
public record Check(String says, Runnable body) implements Operation {

    @Override
    public void run(JdbcTemplate jdbc) {
        body.run();
    }

    @Override
    public List<String> printed() {
        return List.of("-- " + says);
    }
}
