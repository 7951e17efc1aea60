package io.partwarden.ddl;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code on-retire: archive-table} under the contract every disposal keeps. */
class ArchiveTableDisposalTest extends DisposalContract {

    @Override
    String onRetire() {
        return "archive-table";
    }

    @Override
    void assertDisposedOf(String partition, String rows) {
        String parent = partition.substring(0, partition.length() - "_y2024m01".length());
        assertThat(database().jdbc().queryForObject(ROWS.formatted("\"Dry Run\".\"" + parent + "_archive\""
                + " WHERE \"At\" < '2024-02-01Z'"), String.class)).as("every row in the archive table").isEqualTo(rows);
        assertThat(database().jdbc().queryForObject("SELECT to_regclass(format('%I.%I', 'Dry Run', ?::text)) IS NULL",
                Boolean.class, partition)).as("dropped").isTrue();
    }
}
