package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import java.time.Duration;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Months the partitioned table lacks for rows written since the partitions were made (a row far
 * in the past or future): made, each in its own transaction, as the pass makes partitions, so
 * that the copy that met "no partition of relation found for row" can run again.
 */
final class MissingMonths {

    static final String MAKE = "SELECT partwarden.create_month_partition(?::regclass, ?::timestamptz)";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Duration lockTimeout;

    MissingMonths(JdbcTemplate jdbc, TransactionTemplate transactions, Duration lockTimeout) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.lockTimeout = lockTimeout;
    }

    /**
     * @param keysSql a query of the keys to place, one column of timestamptz
     * @throws ConversionRefused for a NULL or infinite key, which no month holds
     */
    void make(Conversion conversion, String parent, String keysSql, Object... args) {
        // as text, read back by the same session: no time zone or infinity crosses JDBC
        String months = "SELECT DISTINCT CASE WHEN k IS NULL THEN 'NULL' WHEN NOT isfinite(k) THEN k::text"
                + " ELSE partwarden.month_start(k)::text END FROM (" + keysSql + ") keys(k)";
        List<String> needed = jdbc.queryForList(months, String.class, args);
        for (String month : needed) {
            if (month.equals("NULL") || month.endsWith("infinity")) {
                String key = SqlIdentifier.quote(conversion.keyColumn());
                throw new ConversionRefused(conversion.label() + " has a row written since the conversion began whose "
                        + key + " is " + month + ", which no monthly partition can hold; correct or delete it (SELECT * FROM "
                        + conversion.source() + " WHERE " + key + " IS NULL OR NOT isfinite(" + key + ")), and the"
                        + " conversion goes on");
            }
            transactions.executeWithoutResult(status -> {
                io.partwarden.step.LockRetry.setLocalLockTimeout(jdbc, lockTimeout);
                jdbc.queryForObject(MAKE, String.class, parent, month);
            });
        }
    }
}
