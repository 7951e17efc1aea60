package io.partwarden.catalog;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Bounds between PostgreSQL and Java. MINVALUE and MAXVALUE bounds read as {@code -infinity}
 * and {@code infinity}, which the driver gives as {@link OffsetDateTime#MIN} and
 * {@link OffsetDateTime#MAX}; in Java they are {@link Instant#MIN} and {@link Instant#MAX}, and
 * they go back to the database as infinities. Any other conversion of them overflows.
 */
public final class SqlTime {

    private SqlTime() {
    }

    public static Instant instant(OffsetDateTime at) {
        if (at == null) {
            return null;
        }
        if (at.equals(OffsetDateTime.MIN)) {
            return Instant.MIN;
        }
        return at.equals(OffsetDateTime.MAX) ? Instant.MAX : at.toInstant();
    }

    public static OffsetDateTime sql(Instant at) {
        if (at.equals(Instant.MIN)) {
            return OffsetDateTime.MIN;
        }
        return at.equals(Instant.MAX) ? OffsetDateTime.MAX : at.atOffset(ZoneOffset.UTC);
    }

    public static boolean isInfinite(Instant at) {
        return at.equals(Instant.MIN) || at.equals(Instant.MAX);
    }
}
