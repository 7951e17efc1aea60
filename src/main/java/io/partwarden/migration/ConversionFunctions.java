package io.partwarden.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.zip.CRC32;

/**
 * The conversion's functions ({@code db/partwarden-functions/conversion.sql}), one text installed
 * from two places: as migration 8.1 where the conversion ran long ago, and just before migration
 * 3 on a first install, where that migration converts workflow_events with them.
 */
final class ConversionFunctions {

    static final String RESOURCE = "db/partwarden-functions/conversion.sql";
    static final String SQL = read();

    private ConversionFunctions() {
    }

    static void install(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(SQL);
        }
    }

    /** Changes with the text, as Flyway's checksum of a SQL migration does. */
    static int checksum() {
        CRC32 crc = new CRC32();
        crc.update(SQL.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    private static String read() {
        try (InputStream in = ConversionFunctions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e, e);
        }
    }
}
