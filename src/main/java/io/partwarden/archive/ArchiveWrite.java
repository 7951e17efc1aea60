package io.partwarden.archive;

/**
 * An archive written to its store, or a write that failed there (the table stays detached and
 * whole; the next pass writes again): published for the metrics.
 *
 * @param table the configured table ({@code partwarden.tables[N].name})
 * @param store {@link ArchiveStore#kind()}: {@code directory} or {@code s3}
 * @param bytes bytes of the archive stored (compressed; its manifest not counted), 0 when it failed
 * @param succeeded whether the archive is now in the store, whole
 */
public record ArchiveWrite(String table, String store, long bytes, boolean succeeded) {
}
