package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code on-retire: detach} under the contract every disposal keeps. */
class KeepDetachedDisposalTest extends DisposalContract {

    @Override
    String onRetire() {
        return "detach";
    }

    @Override
    void assertDisposedOf(String partition, String rows) {
        assertThat(database().jdbc().queryForObject(ROWS.formatted("\"Dry Run\".\"" + partition + "_detached\""), String.class))
                .as("kept, renamed, with every row").isEqualTo(rows);
        assertThat(database().jdbc().queryForObject("SELECT state || ' ' || kept_as FROM partwarden.retirement"
                + " WHERE partition_name = ?", String.class, partition)).isEqualTo("kept " + partition + "_detached");
    }
}
