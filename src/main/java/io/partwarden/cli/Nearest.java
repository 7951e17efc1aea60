package io.partwarden.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The valid name closest to a mistyped one, for "did you mean ...?". */
public final class Nearest {

    private Nearest() {
    }

    /**
     * The candidate at the smallest edit distance from {@code typed}, ignoring case and dashes, if
     * it is close enough to be a typo of it: at most a third of its length, and at least 2, apart.
     */
    public static Optional<String> to(String typed, Collection<String> candidates) {
        String plain = plain(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(plain, plain(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(2, plain.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    private static String plain(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
