package io.partwarden.catalog;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a retirement stands, as {@code partwarden.retirement.state} spells it (its CHECK
 * constraint and {@code partwarden.is_under_way} agree with this type: RetirementStateTest).
 * Every step is recorded before the next begins, so a pass resumes a retirement from its state.
 */
public enum RetirementState {

    /** Recorded before the detach: the table may still be a partition, or pending a concurrent detach. */
    DETACHING,
    /** No longer a partition; not yet disposed of. */
    DETACHED,
    /** Written to an archive file, not yet read back. */
    ARCHIVED,
    /** The archive read back and checked: the table may be dropped. */
    VERIFIED,
    /** Ended: the table is dropped (archived first, if the mode said so). */
    DROPPED,
    /** Ended: the table is kept detached, under the name recorded in kept_as. */
    KEPT,
    /** Ended: the table it began on no longer exists; nothing was touched. */
    GONE;

    private static final Set<RetirementState> UNDER_WAY = EnumSet.of(DETACHING, DETACHED, ARCHIVED, VERIFIED);

    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Not ended: the next pass carries it on. */
    public boolean underWay() {
        return UNDER_WAY.contains(this);
    }

    /**
     * The states a retirement may move to from this one. Any state under way may end (dropped,
     * kept: a retirement begun under another on-retire ends as it ends; gone: its table vanished);
     * an archive found changed since it was written sends the retirement back to detached.
     */
    public Set<RetirementState> next() {
        Set<RetirementState> next = switch (this) {
            case DETACHING -> EnumSet.of(DETACHED);
            case DETACHED -> EnumSet.of(DETACHED, ARCHIVED);
            case ARCHIVED -> EnumSet.of(VERIFIED, DETACHED);
            case VERIFIED -> EnumSet.of(DETACHED);
            case DROPPED, KEPT, GONE -> EnumSet.noneOf(RetirementState.class);
        };
        if (underWay()) {
            next.addAll(EnumSet.of(DROPPED, KEPT, GONE));
        }
        return next;
    }

    public static RetirementState of(String sql) {
        for (RetirementState state : values()) {
            if (state.sql().equals(sql)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown retirement state '" + sql + "': one of " + spelled(EnumSet.allOf(RetirementState.class)));
    }

    /** The states as a SQL array literal's elements, for {@code state = ANY (?)}. */
    public static String[] sql(Set<RetirementState> states) {
        return states.stream().sorted().map(RetirementState::sql).toArray(String[]::new);
    }

    /**
     * The states under way as a SQL list ({@code 'detaching', 'detached', ...}): an index
     * predicate, and an ON CONFLICT clause inferring that index, must spell them out.
     */
    public static String underWayList() {
        return UNDER_WAY.stream().sorted().map(s -> "'" + s.sql() + "'").collect(Collectors.joining(", "));
    }

    static String spelled(Set<RetirementState> states) {
        return Arrays.stream(values()).filter(states::contains).map(RetirementState::sql).collect(Collectors.joining(", "));
    }
}
