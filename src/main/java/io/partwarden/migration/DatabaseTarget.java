package io.partwarden.migration;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * The database the service was told to use, as a connection failure names it: host, port,
 * database and user, read from the JDBC URL and the configured user (never the password).
 */
public record DatabaseTarget(String host, String port, String database, String user) {

    public static DatabaseTarget of(DataSource dataSource) {
        if (!(dataSource instanceof HikariDataSource pool) || pool.getJdbcUrl() == null) {
            return new DatabaseTarget(null, null, null, null);
        }
        Properties url = Driver.parseURL(pool.getJdbcUrl(), null);
        if (url == null) {
            return new DatabaseTarget(null, null, null, pool.getUsername());
        }
        String user = pool.getUsername() != null ? pool.getUsername() : url.getProperty("user");
        return new DatabaseTarget(url.getProperty("PGHOST"), url.getProperty("PGPORT"), url.getProperty("PGDBNAME"), user);
    }

    /** {@code database meshhook on db:5432 as user partwarden}; multi-host URLs list their hosts and ports. */
    @Override
    public String toString() {
        if (host == null) {
            return "the configured database (spring.datasource.url)";
        }
        String[] hosts = host.split(",");
        String[] ports = port == null ? new String[0] : port.split(",");
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < hosts.length; i++) {
            where.append(i == 0 ? "" : ", ").append(hosts[i]).append(':').append(i < ports.length ? ports[i] : "5432");
        }
        return "database " + database + " on " + where + " as user " + (user == null ? "(none given)" : user);
    }
}
