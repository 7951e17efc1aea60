package io.partwarden.catalog;

import java.time.Instant;

/** The range a partition holds: from {@code lower} inclusive to {@code upper} exclusive. */
public record PartitionBounds(Instant lower, Instant upper) {

    public PartitionBounds {
        if (!lower.isBefore(upper)) {
            throw new IllegalArgumentException("lower bound " + lower + " is not before upper bound " + upper);
        }
    }

    public boolean overlaps(PartitionBounds other) {
        return lower.isBefore(other.upper) && other.lower.isBefore(upper);
    }

    @Override
    public String toString() {
        return "[" + lower + ", " + upper + ")";
    }
}
