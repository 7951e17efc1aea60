package io.partwarden.migration;

import io.partwarden.testing.VersionSensitive;

/**
 * The spec's SQL API and its examples, run as written, on a MeshHook database converted online
 * ({@code --once} through the cut-over, then {@code --finish-conversion}): every test of
 * {@link SqlApiTest}, on that database.
 */
@VersionSensitive
class OnlineSqlApiTest extends SqlApiTest {
}
