package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The statements on a detached table that every disposal shares, made and quoted by the database. */
@Component
public class RetiredTableDdl {

    static final String DROP_DDL = "SELECT partwarden.drop_ddl(?, ?)";
    static final String LOCK_DDL = "SELECT partwarden.lock_ddl(?, ?)";
    static final String COUNT_ROWS = "SELECT partwarden.exact_row_count(format('%I.%I', ?, ?)::regclass)";
    static final String COUNT_STATEMENT = """
            SELECT format('SELECT partwarden.exact_row_count(%L::regclass)', format('%I.%I', ?, ?))""";

    private final JdbcTemplate jdbc;

    public RetiredTableDdl(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    String drop(Partition partition) {
        return jdbc.queryForObject(DROP_DDL, String.class, partition.schema(), partition.name());
    }

    String lock(Partition partition) {
        return jdbc.queryForObject(LOCK_DDL, String.class, partition.schema(), partition.name());
    }

    /** The statement that counts the table's rows exactly, with its name written in. */
    String countStatement(Partition partition) {
        return jdbc.queryForObject(COUNT_STATEMENT, String.class, partition.schema(), partition.name());
    }

    long count(Partition partition) {
        return jdbc.queryForObject(COUNT_ROWS, Long.class, partition.schema(), partition.name());
    }
}
