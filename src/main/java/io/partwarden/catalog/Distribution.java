package io.partwarden.catalog;

import java.util.Optional;

/**
 * Where a table's rows live: on this server, or, with Citus, spread over its worker nodes. Citus
 * refuses {@code DETACH PARTITION ... CONCURRENTLY} on its tables, so their retirements detach
 * plainly under the lock timeout; see the README's "Scale-out with Citus".
 */
public enum Distribution {
    /** A table of this server: every operation as PostgreSQL has it. */
    LOCAL("a table of this server"),
    /** Citus hash-distributes its rows over the workers, by its distribution column. */
    CITUS_DISTRIBUTED("a Citus distributed table"),
    /** Citus keeps a whole copy on every node. */
    CITUS_REFERENCE("a Citus reference table"),
    /** In Citus' metadata, its rows on the coordinator. */
    CITUS_LOCAL("a Citus local table");

    /** Citus' metadata of a table, where Citus is installed: {@code partmethod}, {@code repmodel}. */
    static final String CITUS_INSTALLED = "SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL";
    static final String CITUS_METADATA = """
            SELECT partmethod::text, repmodel::text FROM pg_catalog.pg_dist_partition
             WHERE logicalrelid = to_regclass(format('%I.%I', ?, ?))""";

    private final String description;

    Distribution(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public boolean citus() {
        return this != LOCAL;
    }

    /**
     * Why migration 3 does not convert a plain table of this kind, in words; empty for a table of
     * this server. Either conversion builds the partitioned table on the coordinator, so it would
     * gather a distributed table's rows there, or copy a reference table's to one node.
     */
    public Optional<String> conversionRefusal() {
        if (!citus()) {
            return Optional.empty();
        }
        return Optional.of("it is " + description + ", and Partwarden's conversion would build the partitioned table on the"
                + " coordinator alone, taking the rows off the workers. Convert it before distributing it (then distribute"
                + " the partitioned table), or create a distributed partitioned table colocated with it and attach it as"
                + " one partition (README: Scale-out with Citus)");
    }

    /** From pg_dist_partition: 'h' hash-distributed; 'n' with replication model 't' reference, else Citus local. */
    static Distribution of(String partitionMethod, String replicationModel) {
        if ("h".equals(partitionMethod) || "a".equals(partitionMethod) || "r".equals(partitionMethod)) {
            return CITUS_DISTRIBUTED;
        }
        return "t".equals(replicationModel) ? CITUS_REFERENCE : CITUS_LOCAL;
    }
}
