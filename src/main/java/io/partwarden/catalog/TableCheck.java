package io.partwarden.catalog;

import io.partwarden.config.PartwardenProperties;
import java.util.ArrayList;
import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Checks each configured table against the database: it exists, and is partitioned by range on
 * the configured timestamptz column. Each problem names the property to fix.
 */
@Component
public class TableCheck {

    static final String RANGE_KEY = "SELECT partwarden.range_key_column(format('%I.%I', ?, ?)::regclass)";

    private final JdbcTemplate jdbc;

    public TableCheck(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<String> problems(PartwardenProperties properties) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < properties.tables().size(); i++) {
            PartwardenProperties.Table table = properties.tables().get(i);
            TableName name = TableName.parse(table.name());
            try {
                String key = jdbc.queryForObject(RANGE_KEY, String.class, name.schema(), name.name());
                if (!table.column().equals(key)) {
                    problems.add("partwarden.tables[" + i + "].column: " + name + " is partitioned by range on "
                            + key + ", not on " + table.column());
                }
            } catch (DataAccessException e) {
                problems.add("partwarden.tables[" + i + "].name: " + name + ": " + e.getMostSpecificCause().getMessage());
            }
        }
        return problems;
    }
}
