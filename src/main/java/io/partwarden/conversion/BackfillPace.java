package io.partwarden.conversion;

import java.time.Duration;

/**
 * How many rows the next batch copies and how long to wait before it: each batch sized so that it
 * takes about {@code batch-target} (a batch holds its rows' referenced runs FOR KEY SHARE, so a run
 * being deleted waits at most that long), and the copy kept under {@code rows-per-second}.
 */
record BackfillPace(int rows, Duration target, long rowsPerSecond) {

    static final int FEWEST = 100;
    static final int MOST = 100_000;

    /** The size after a batch of {@code copied} rows that took {@code took}: at most doubled or halved. */
    BackfillPace after(long copied, Duration took) {
        if (copied < rows || took.isZero()) {
            return this;
        }
        double scale = (double) target.toNanos() / Math.max(1, took.toNanos());
        int next = (int) Math.round(rows * Math.max(0.5, Math.min(2.0, scale)));
        return new BackfillPace(Math.max(FEWEST, Math.min(MOST, next)), target, rowsPerSecond);
    }

    /** How long to wait after a batch of {@code copied} rows that took {@code took}, to stay under the rate. */
    Duration pauseAfter(long copied, Duration took) {
        if (rowsPerSecond <= 0 || copied == 0) {
            return Duration.ZERO;
        }
        Duration due = Duration.ofNanos(copied * 1_000_000_000L / rowsPerSecond);
        return due.compareTo(took) > 0 ? due.minus(took) : Duration.ZERO;
    }
}
