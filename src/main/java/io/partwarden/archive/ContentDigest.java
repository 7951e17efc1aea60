package io.partwarden.archive;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 and row count of COPY text as it streams by. In COPY's text format a row ends with a
 * newline and a newline inside a value is escaped, so newlines count rows exactly.
 */
final class ContentDigest {

    private final MessageDigest sha256 = sha256();
    private long rows;

    void update(byte[] bytes, int offset, int length) {
        sha256.update(bytes, offset, length);
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                rows++;
            }
        }
    }

    long rows() {
        return rows;
    }

    String hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
