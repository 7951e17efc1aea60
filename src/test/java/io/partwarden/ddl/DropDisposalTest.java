package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code on-retire: drop} under the contract every disposal keeps. */
class DropDisposalTest extends DisposalContract {

    @Override
    String onRetire() {
        return "drop";
    }

    @Override
    void assertDisposedOf(String partition, String rows) {
        assertThat(database().jdbc().queryForObject("SELECT to_regclass(format('%I.%I', 'Dry Run', ?::text)) IS NULL",
                Boolean.class, partition)).as("dropped").isTrue();
        assertThat(database().jdbc().queryForObject("SELECT state FROM partwarden.retirement WHERE partition_name = ?",
                String.class, partition)).isEqualTo("dropped");
    }
}
