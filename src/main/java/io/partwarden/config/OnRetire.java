package io.partwarden.config;

/**
 * What becomes of a partition once retention has detached it. Configured in lower case:
 * {@code drop}, {@code detach}, {@code archive-table}.
 */
public enum OnRetire {
    /** Drop the detached table: its rows are gone. */
    DROP,
    /** Keep the detached table, renamed {@code {partition}_detached}, for the operator to deal with. */
    DETACH,
    /** Move its rows into the archive table, then drop it, in one transaction. */
    ARCHIVE_TABLE
}
