package io.partwarden.archive;

/** An archive that cannot be written, read back or restored; the message says why and what was left as it was. */
public class ArchiveException extends RuntimeException {

    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
