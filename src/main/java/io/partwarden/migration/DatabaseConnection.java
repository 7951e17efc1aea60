package io.partwarden.migration;

import com.zaxxer.hikari.HikariDataSource;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Whether the database accepts a connection, before anything is asked of it. While the pool has
 * not started, the check opens one connection with the pool's own URL, user, password and driver
 * properties but outside the pool: a pool that cannot start logs a stack trace at each attempt,
 * which a daemon waiting for its database would repeat every 30 seconds.
 */
public final class DatabaseConnection {

    private DatabaseConnection() {
    }

    /** @throws DatabaseUnavailableException naming the database and the server's or the driver's reason */
    public static void check(DataSource dataSource) {
        try (Connection connection = open(dataSource)) {
            connection.isValid(10);
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(DatabaseTarget.of(dataSource), reason(e), e);
        }
    }

    private static Connection open(DataSource dataSource) throws SQLException {
        if (dataSource instanceof HikariDataSource pool && !pool.isRunning() && pool.getJdbcUrl() != null) {
            Properties properties = new Properties();
            properties.putAll(pool.getDataSourceProperties());
            if (pool.getUsername() != null) {
                properties.setProperty("user", pool.getUsername());
            }
            if (pool.getPassword() != null) {
                properties.setProperty("password", pool.getPassword());
            }
            return DriverManager.getConnection(pool.getJdbcUrl(), properties);
        }
        return dataSource.getConnection();
    }

    /**
     * What failed, in the words closest to its cause: the server's message (a database or role
     * that does not exist, a wrong password, a server starting up), else the network's (a host
     * that does not resolve, a refused or unreachable port), else the driver's.
     */
    static String reason(SQLException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException unknown) {
                return "the host name does not resolve (unknown host " + unknown.getMessage() + ")";
            }
        }
        if (failure.getCause() instanceof ConnectException || failure.getCause() instanceof NoRouteToHostException
                || failure.getCause() instanceof SocketTimeoutException) {
            // the driver's own sentence names host and port ("Connection to db:5432 refused. Check that ..."),
            // except for a timeout, where only the cause says what happened
            return failure.getMessage().startsWith("Connection to") ? failure.getMessage()
                    : failure.getCause().getMessage() + " (" + failure.getMessage() + ")";
        }
        return failure.getMessage() + (failure.getSQLState() == null ? "" : " (SQLSTATE " + failure.getSQLState() + ")");
    }
}
