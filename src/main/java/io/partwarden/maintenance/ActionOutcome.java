package io.partwarden.maintenance;

/**
 * What became of one action, or of a table that could not even be planned.
 *
 * @param table the table, as configured
 * @param action what was attempted
 * @param error why it failed; null when it succeeded
 */
public record ActionOutcome(String table, String action, String error) {

    public boolean succeeded() {
        return error == null;
    }
}
