package io.partwarden.maintenance;

/**
 * What became of one action, or of a table that could not even be planned.
 *
 * @param table the table, as configured
 * @param kind the action's kind (created, retired), or "read" for the catalog read
 * @param action what was attempted
 * @param error why it failed; null when it succeeded
 */
public record ActionOutcome(String table, String kind, String action, String error) {

    public ActionOutcome(String table, String action, String error) {
        this(table, "pass", action, error);
    }

    public boolean succeeded() {
        return error == null;
    }
}
