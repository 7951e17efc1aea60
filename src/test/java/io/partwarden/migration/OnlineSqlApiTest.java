package io.partwarden.migration;

/**
 * The spec's SQL API and its examples, run as written, on a MeshHook database converted online
 * ({@code --once} through the cut-over, then {@code --finish-conversion}): every test of
 * {@link SqlApiTest}, on that database.
 */
class OnlineSqlApiTest extends SqlApiTest {
}
