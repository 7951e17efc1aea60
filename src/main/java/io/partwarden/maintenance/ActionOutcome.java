package io.partwarden.maintenance;

import org.springframework.dao.DataAccessException;

/**
 * What became of one action, or of a table that could not even be planned.
 *
 * @param table the table, as configured
 * @param kind the action's kind (created, retired), or "read" for the catalog read
 * @param action what was attempted
 * @param error why it failed; null when it succeeded
 */
public record ActionOutcome(String table, String kind, String action, String error) {

    public static ActionOutcome failed(String table, String kind, String action, RuntimeException failure) {
        String error = describe(failure);
        // a lock retry names the action it gave up on: the outcome names it already
        return new ActionOutcome(table, kind, action, error.startsWith(action + ": ") ? error.substring(action.length() + 2) : error);
    }

    /** Spring's wrapping says which statement failed; the database's own message says why. */
    public static String describe(RuntimeException failure) {
        if (failure instanceof DataAccessException access && access.getMostSpecificCause() != null) {
            return access.getMostSpecificCause().getMessage();
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    public boolean succeeded() {
        return error == null;
    }
}
