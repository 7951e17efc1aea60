package io.partwarden.step;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** A statement run as it is printed: quoted by the database that made it, no parameters left. */
public record Statement(String sql) implements Operation {

    @Override
    public void run(JdbcTemplate jdbc) {
        jdbc.execute(sql);
    }

    @Override
    public List<String> printed() {
        return List.of(sql);
    }
}
