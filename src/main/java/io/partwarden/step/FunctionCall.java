package io.partwarden.step;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A call of an installed function that runs {@code runs}, which the function's {@code _ddl}
 * twin returns: printed as those statements, run as the call (the SQL API runs the same
 * function, so the two cannot drift apart).
 */
public record FunctionCall(String call, List<Object> arguments, List<String> runs) implements Operation {

    @Override
    public void run(JdbcTemplate jdbc) {
        jdbc.queryForList(call, arguments.toArray());
    }

    @Override
    public List<String> printed() {
        return runs;
    }
}
