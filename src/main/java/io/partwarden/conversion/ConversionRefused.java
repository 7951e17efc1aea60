package io.partwarden.conversion;

/** The table cannot be converted online as it is: nothing was changed; the message says what to do. */
public class ConversionRefused extends RuntimeException {

    public ConversionRefused(String message) {
        super(message);
    }
}
