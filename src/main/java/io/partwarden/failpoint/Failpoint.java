package io.partwarden.failpoint;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named points in a retirement where the crash tests stop the process. When the environment
 * variable {@code PARTWARDEN_FAILPOINT} names a point, the thread that reaches it says so on
 * standard error and waits there for good, so that the test kills the process ({@code kill -9})
 * at exactly that step. Unset, as in every real deployment, a point costs one string comparison.
 */
public final class Failpoint {

    private static final Logger log = LoggerFactory.getLogger(Failpoint.class);
    private static final String ARMED = System.getenv("PARTWARDEN_FAILPOINT");

    /** Printed when a point is reached; the tests wait for this line. */
    public static final String REACHED = "partwarden failpoint reached: ";

    private Failpoint() {
    }

    public static void reach(String point) {
        if (point.equals(ARMED)) {
            log.warn("stopping at failpoint {} (PARTWARDEN_FAILPOINT) until killed", point);
            System.err.println(REACHED + point);
            System.err.flush();
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    // only the kill ends this wait
                }
            }
        }
    }
}
