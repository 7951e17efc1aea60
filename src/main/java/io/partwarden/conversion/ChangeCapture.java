package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import java.util.List;

/**
 * The triggers that log every change to a table under conversion into
 * {@code partwarden.conversion_change}: the key of each row inserted, updated (both keys if the key
 * changed) or deleted, and each TRUNCATE; not the rows deleted with the row they reference (see
 * {@link #createFunction}).
 * Logged in the writer's own transaction, so a change and its log row commit together or not at
 * all. Keys only: replay reads the row as it is then, so any number of changes to a row cost one
 * copy. {@code SECURITY DEFINER}: writers, tenants under row level security among them, have no
 * privilege on schema partwarden.
 */
final class ChangeCapture {

    static final String ROW_TRIGGER = "partwarden_conversion_capture";
    static final String TRUNCATE_TRIGGER = "partwarden_conversion_truncate";

    /** Captured on the plain table before the cut-over, replayed into the partitioned one. */
    static final String FORWARD = "f";
    /** Captured on the partitioned table after it, replayed back into the kept plain table. */
    static final String REVERSE = "r";

    private ChangeCapture() {
    }

    static String function(long conversionId) {
        return SqlIdentifier.qualified("partwarden", "conversion_capture_" + conversionId);
    }

    /**
     * The capture function, generated for the conversion with its id and key column compiled in.
     * A row deleted because the row it references is gone (a run deleted, its events going by the
     * cascade) is not logged: the copy has the same foreign key, so the same cascade removes the
     * copy in the same transaction, or the delete fails. Replaying it would look for rows that are
     * gone on both sides, and a run's delete cascades thousands. Only foreign keys whose table the
     * service reads whole are asked (row level security hiding a run would drop a real change).
     */
    static List<String> createFunction(long conversionId, String idColumn, References references) {
        String id = SqlIdentifier.quote(idColumn);
        List<String> gone = references.keys().stream().filter(References.Reference::readWhole)
                .map(References.Reference::referencedGone).toList();
        String cascaded = gone.isEmpty() ? "" : "  IF TG_OP = 'DELETE' AND (" + String.join(" OR ", gone) + ") THEN\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n";
        String log = "INSERT INTO partwarden.conversion_change (conversion_id, direction, kind, id) VALUES ("
                + conversionId + ", TG_ARGV[0]::\"char\", ";
        return List.of("CREATE OR REPLACE FUNCTION " + function(conversionId) + "() RETURNS trigger LANGUAGE plpgsql"
                        + " SECURITY DEFINER SET search_path = pg_catalog, partwarden, pg_temp AS $capture$\n"
                        + "BEGIN\n"
                        + "  IF TG_OP = 'TRUNCATE' THEN\n"
                        + "    " + log + "'t', NULL);\n"
                        + "    RETURN NULL;\n"
                        + "  END IF;\n"
                        + cascaded
                        + "  IF TG_OP <> 'INSERT' THEN\n"
                        + "    " + log + "'k', OLD." + id + ");\n"
                        + "  END IF;\n"
                        + "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW." + id + " IS DISTINCT FROM OLD." + id + ") THEN\n"
                        + "    " + log + "'k', NEW." + id + ");\n"
                        + "  END IF;\n"
                        + "  RETURN NULL;\n"
                        + "END $capture$",
                "REVOKE ALL ON FUNCTION " + function(conversionId) + "() FROM PUBLIC");
    }

    /**
     * The triggers on {@code table}, enabled ALWAYS so that sessions replicating into it
     * ({@code session_replication_role = replica}) are captured too.
     */
    static List<String> createTriggers(long conversionId, String table, String direction) {
        String function = function(conversionId) + "('" + direction + "')";
        return List.of(
                "CREATE TRIGGER " + ROW_TRIGGER + " AFTER INSERT OR UPDATE OR DELETE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION " + function,
                "CREATE TRIGGER " + TRUNCATE_TRIGGER + " AFTER TRUNCATE ON " + table
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + function,
                "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + ROW_TRIGGER,
                "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + TRUNCATE_TRIGGER);
    }

    static List<String> dropTriggers(String table) {
        return List.of("DROP TRIGGER IF EXISTS " + ROW_TRIGGER + " ON " + table,
                "DROP TRIGGER IF EXISTS " + TRUNCATE_TRIGGER + " ON " + table);
    }

    static String dropFunction(long conversionId) {
        return "DROP FUNCTION IF EXISTS " + function(conversionId) + "()";
    }
}
