package io.partwarden.config;

/**
 * What becomes of a partition once retention has detached it. Configured in lower case:
 * {@code drop}, {@code detach}, {@code archive}, {@code archive-table}.
 */
public enum OnRetire {
    /** Drop the detached table: its rows are gone. */
    DROP,
    /** Keep the detached table, renamed {@code {partition}_detached}, for the operator to deal with. */
    DETACH,
    /**
     * Stream its rows into a compressed file under {@code partwarden.archive.directory}, with a
     * manifest; read the file back and check it; only then drop the table.
     */
    ARCHIVE,
    /** Move its rows into the archive table, then drop it, in one transaction. */
    ARCHIVE_TABLE
}
