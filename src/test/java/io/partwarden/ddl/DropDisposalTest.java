package io.partwarden.ddl;

/** {@code on-retire: drop} under the contract every disposal keeps. */
class DropDisposalTest extends DisposalContract {

    @Override
    String onRetire() {
        return "drop";
    }
}
