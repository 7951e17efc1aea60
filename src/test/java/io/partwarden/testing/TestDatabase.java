package io.partwarden.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * A fresh database on a real PostgreSQL server, made for one test class and dropped after it.
 * The server is, in order: {@code PARTWARDEN_TEST_JDBC_URL} if set (a URL to any database of
 * the server, with user and password as URL parameters), else {@code localhost:5432} as user
 * {@code postgres} if it answers, else a Testcontainers PostgreSQL where a Docker engine exists.
 */
public final class TestDatabase implements AutoCloseable {

    private final Server server;
    private final String name;
    private final DataSource dataSource;
    private final JdbcTemplate jdbc;

    private TestDatabase(Server server, String name) {
        this.server = server;
        this.name = name;
        this.dataSource = new SimpleDriverDataSource(new org.postgresql.Driver(), url(), server.user(), server.password());
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /**
     * The server's version as {@code server_version_num} (170006 for 17.6): for a test of what one
     * major added to assume it, e.g. MAINTAIN from 17.
     */
    public static int serverVersion() {
        return Server.get().versionNum();
    }

    public static TestDatabase create(String hint) {
        Server server = Server.get();
        String name = newName(hint);
        server.execute("CREATE DATABASE " + name);
        return new TestDatabase(server, name);
    }

    /**
     * A new database holding what this one holds now ({@code CREATE DATABASE … TEMPLATE}): much
     * quicker than building the same state again. Nobody may be connected to this one meanwhile.
     */
    public TestDatabase copy(String hint) {
        String copy = newName(hint);
        server.execute("CREATE DATABASE " + copy + " TEMPLATE " + name);
        return new TestDatabase(server, copy);
    }

    /** A database of this name on the server at {@code baseUrl} (a Citus coordinator, say); created by the caller. */
    static TestDatabase on(String baseUrl, String user, String password, String name) {
        return new TestDatabase(new Server(baseUrl, user, password), name);
    }

    static String newName(String hint) {
        return ("pw_" + hint.replaceAll("[^A-Za-z0-9]", "_") + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
    }

    public String url() {
        return server.urlOf(name);
    }

    /** The database's URL through another host and port, e.g. a {@link TcpProxy}. */
    public String urlVia(String host, int port) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    /** Host and port of the server, for a {@link TcpProxy} to forward to. */
    public java.net.InetSocketAddress serverAddress() {
        String authority = server.baseUrl().substring("jdbc:postgresql://".length(), server.baseUrl().lastIndexOf('/'));
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? new java.net.InetSocketAddress(authority, 5432)
                : new java.net.InetSocketAddress(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
    }

    public String user() {
        return server.user();
    }

    public String password() {
        return server.password();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), server.user(), server.password());
    }

    /** Runs a script from the test classpath as one simple-protocol batch, as psql -1 would. */
    public void runScript(String resource) {
        try (InputStream in = TestDatabase.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs SQL text that may hold several statements. */
    public void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    record Server(String baseUrl, String user, String password) {

        private static Server instance;

        static synchronized Server get() {
            if (instance == null) {
                instance = locate();
            }
            return instance;
        }

        private static Server locate() {
            String explicit = System.getenv("PARTWARDEN_TEST_JDBC_URL");
            if (explicit != null && !explicit.isBlank()) {
                return fromUrl(explicit);
            }
            Server local = new Server("jdbc:postgresql://localhost:5432/postgres", "postgres", "");
            if (local.answers()) {
                return local;
            }
            return Containers.start();
        }

        static Server fromUrl(String url) {
            var info = org.postgresql.Driver.parseURL(url, null);
            if (info == null) {
                throw new IllegalArgumentException("PARTWARDEN_TEST_JDBC_URL is not a PostgreSQL JDBC URL: " + url);
            }
            String hosts = info.getProperty("PGHOST") + ":" + info.getProperty("PGPORT");
            return new Server("jdbc:postgresql://" + hosts + "/" + info.getProperty("PGDBNAME"),
                    info.getProperty("user", "postgres"), info.getProperty("password", ""));
        }

        String urlOf(String database) {
            return baseUrl.substring(0, baseUrl.lastIndexOf('/') + 1) + database;
        }

        boolean answers() {
            try (Connection c = DriverManager.getConnection(baseUrl + "?connectTimeout=2", user, password)) {
                return c.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        }

        int versionNum() {
            try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                return rs.getInt(1);
            } catch (SQLException e) {
                throw new IllegalStateException("server_version_num: " + e.getMessage(), e);
            }
        }

        void execute(String sql) {
            try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }
    }

    /** Kept in its own class so Testcontainers loads only when it is needed. */
    static final class Containers {
        static Server start() {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:15-alpine");
            container.start();
            String url = container.getJdbcUrl();
            return new Server(url.contains("?") ? url.substring(0, url.indexOf('?')) : url,
                    container.getUsername(), container.getPassword());
        }
    }
}
