package io.partwarden.conversion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code converted} → {@code finished}: the reverse capture removed from the partitioned table
 * (ACCESS EXCLUSIVE on it and its partitions, for milliseconds), the kept plain table dropped
 * (ACCESS EXCLUSIVE on it and on the table its foreign key references), the capture function and
 * the log rows with it. One transaction under {@code lock-timeout}, retried.
 */
final class Finish {

    static final String FINISHED = """
            UPDATE partwarden.conversion SET phase = 'finished', ended_at = now(), ended_by = ?, updated_at = now()
             WHERE id = ? AND phase = 'converted'""";
    static final String FORGET_CHANGES = "DELETE FROM partwarden.conversion_change WHERE conversion_id = ?";

    /** Who ended it, as partwarden.conversion.ended_by spells it. */
    enum By { SERVICE, OPERATOR }

    private final JdbcTemplate jdbc;
    private final ConversionTransaction transaction;

    Finish(JdbcTemplate jdbc, ConversionTransaction transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    boolean run(Conversion conversion, By by) {
        return transaction.run("finish the conversion of " + conversion.label(), conversion.id(), Duration.ZERO, c -> {
            if (c.phase() != ConversionPhase.CONVERTED) {
                return false;
            }
            statements(c).forEach(jdbc::execute);
            jdbc.update(FORGET_CHANGES, c.id());
            jdbc.update(FINISHED, by.name().toLowerCase(java.util.Locale.ROOT), c.id());
            return true;
        });
    }

    static List<String> statements(Conversion c) {
        List<String> out = new ArrayList<>(ChangeCapture.dropTriggers(c.source()));
        out.add("DROP TABLE IF EXISTS " + c.kept());
        out.add(ChangeCapture.dropFunction(c.id()));
        return out;
    }

}
