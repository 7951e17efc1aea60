package io.partwarden.ddl;

/** {@code on-retire: detach} under the contract every disposal keeps. */
class KeepDetachedDisposalTest extends DisposalContract {

    @Override
    String onRetire() {
        return "detach";
    }
}
