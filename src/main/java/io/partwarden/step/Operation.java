package io.partwarden.step;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** What a {@link Transaction} runs, in order, on its connection. */
public sealed interface Operation permits Statement, Check, FunctionCall, InsertsAll {

    void run(JdbcTemplate jdbc);

    List<String> printed();
}
