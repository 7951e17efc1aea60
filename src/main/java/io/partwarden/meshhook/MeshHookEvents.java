package io.partwarden.meshhook;

/**
 * MeshHook's event table as its Event Partitioning spec defines it: the one place Partwarden's
 * code names it. The engine (catalog, plan, steps, retirement, the pass) maintains any configured
 * table; what is MeshHook's alone (the table's creation, conversion and adoption by migration 3,
 * the spec's SQL API, its index names) asks here.
 */
public final class MeshHookEvents {

    /** The table's name, in the schema {@code partwarden.events-schema} names. */
    public static final String TABLE = "workflow_events";

    private MeshHookEvents() {
    }

    /** {@code schema.workflow_events}, as configured tables are written. */
    public static String qualified(String schema) {
        return schema + "." + TABLE;
    }

    /** Whether a configured table is MeshHook's event table. */
    public static boolean is(String schema, String table, String eventsSchema) {
        return schema.equals(eventsSchema) && table.equals(TABLE);
    }
}
