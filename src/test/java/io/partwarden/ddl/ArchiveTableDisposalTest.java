package io.partwarden.ddl;

/** {@code on-retire: archive-table} under the contract every disposal keeps. */
class ArchiveTableDisposalTest extends DisposalContract {

    @Override
    String onRetire() {
        return "archive-table";
    }
}
