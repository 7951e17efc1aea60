package io.partwarden.catalog;

/**
 * A partition whose owner, privileges or row level security flags differ from what its parent's
 * give it (the rule of {@code partwarden.sync_partition_access}): through it, roles may read rows
 * the parent's policies would hide from them.
 *
 * @param difference what differs, as {@code partwarden.partition_access_drift} says it
 */
public record AccessDrift(String schema, String name, String difference) {
}
