package io.partwarden.migration;

/** What the migration finds in place of {@code {events-schema}.workflow_events}, and so what it does. */
public enum EventsTableState {
    /** No such relation: it creates the table. */
    ABSENT("created as a partitioned table"),
    /** A plain table, as MeshHook ships it: it converts it. */
    PLAIN("converted from a plain table to monthly partitions"),
    /**
     * A plain table the migration left as it was, the conversion being online: the service
     * converts it after the migration. Never found before it; what a plain table became.
     */
    LEFT_PLAIN("left a plain table, which the service converts online"),
    /** Already partitioned (the spec's own migration ran): it adopts it. */
    PARTITIONED("adopted (already partitioned; no row rewritten)"),
    /** A view, a sequence, anything else: the migration fails on it. */
    OTHER("left as it was");

    private final String done;

    EventsTableState(String done) {
        this.done = done;
    }

    /** What the migration did to the table, once it has run. */
    public String done() {
        return done;
    }

    /** From {@code pg_class.relkind}; null for no relation. */
    static EventsTableState of(String relkind) {
        if (relkind == null) {
            return ABSENT;
        }
        return switch (relkind) {
            case "r" -> PLAIN;
            case "p" -> PARTITIONED;
            default -> OTHER;
        };
    }
}
