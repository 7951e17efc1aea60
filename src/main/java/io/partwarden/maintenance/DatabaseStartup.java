package io.partwarden.maintenance;

import io.partwarden.cli.RunMode;
import io.partwarden.catalog.TableConfigurationException;
import io.partwarden.cli.ExitCode;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.migration.DatabaseMigration;
import io.partwarden.migration.DatabaseMigration.Migrated;
import io.partwarden.migration.DatabaseUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The database steps of start-up, run before any command (first of the runners), never while the
 * application's beans are made, so that they can wait: reach the database; then, in the modes that
 * maintain tables, check the configured tables against the catalog, migrate, and check them again
 * with the functions the migration installed. {@link DatabaseReady} follows.
 * <ul>
 * <li>The daemon tries once; if the database does not accept a connection (a PostgreSQL still
 *     starting beside it in its Pod), it keeps running, serving health (the database DOWN, liveness
 *     and readiness UP), and retries in the background, pausing 1 s, 2 s, 4 s ... up to 30 s between
 *     attempts, each logged with its reason, for as long as it takes.</li>
 * <li>{@code --once} retries the same way for up to {@code partwarden.startup.database-wait}, then
 *     exits {@link ExitCode#DATABASE_UNAVAILABLE} naming the cause.</li>
 * <li>{@code --dry-run}, {@code --verify} and {@code --restore} try once.</li>
 * <li>{@code --list-archives} does not connect.</li>
 * </ul>
 * Anything but an unreachable database (a configured table that does not match, a failed
 * migration, a read-only database) stops start-up as before; should it come up in the daemon's
 * background attempts, the daemon logs it and exits {@link ExitCode#FAILED}, as it would have at start.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class DatabaseStartup implements ApplicationRunner, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStartup.class);

    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    private final RunMode mode;
    private final DatabaseMigration migration;
    private final TableCheck tableCheck;
    private final PartwardenProperties properties;
    private final MaintenanceStatus status;
    private final ApplicationEventPublisher events;
    private final ConfigurableApplicationContext context;
    private final Clock clock;
    private volatile Thread waiting;

    public DatabaseStartup(RunMode mode, DatabaseMigration migration, TableCheck tableCheck, PartwardenProperties properties,
                           MaintenanceStatus status, ApplicationEventPublisher events, ConfigurableApplicationContext context,
                           Clock clock) {
        this.mode = mode;
        this.migration = migration;
        this.tableCheck = tableCheck;
        this.properties = properties;
        this.status = status;
        this.events = events;
        this.context = context;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        if (!mode.needsDatabase()) {
            return;
        }
        switch (mode) {
            case DAEMON -> {
                try {
                    migration.checkConnection();
                } catch (DatabaseUnavailableException unavailable) {
                    waitInBackground(unavailable);
                    return;
                }
                ready(prepare());
            }
            case ONCE -> {
                awaitDatabase(properties.startup().databaseWait(), null);
                ready(prepare());
            }
            default -> {
                migration.checkConnection();
                ready(mode.changesDatabase() ? migration.migrate() : null);
            }
        }
    }

    /**
     * In the modes that maintain tables: the configured tables checked against the catalog before
     * the migration (so a wrong name changes nothing), the migration, and the full check after it.
     */
    private Migrated prepare() {
        List<String> before = tableCheck.problemsBeforeMigration(properties, migration.eventsTable());
        if (!before.isEmpty()) {
            throw new TableConfigurationException(before);
        }
        Migrated migrated = migration.migrate();
        List<String> after = tableCheck.problems(properties);
        if (!after.isEmpty()) {
            throw new TableConfigurationException(after, migrated.describe());
        }
        return migrated;
    }

    private void ready(Migrated migrated) {
        status.databaseReached();
        events.publishEvent(new DatabaseReady(migrated));
    }

    /**
     * Tries until the database accepts a connection, pausing 1 s, 2 s, 4 s ... 30 s between
     * attempts, each failure logged with its reason.
     *
     * @param limit how long to keep trying; null for as long as it takes
     * @param first the first attempt's failure, if it was made already
     * @throws DatabaseUnavailableException when {@code limit} has passed, naming the last attempt's reason
     */
    private void awaitDatabase(Duration limit, DatabaseUnavailableException first) throws InterruptedException {
        Instant giveUp = limit == null ? null : clock.instant().plus(limit);
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            DatabaseUnavailableException unavailable = attempt == 1 && first != null ? first : tryToConnect();
            if (unavailable == null) {
                if (attempt > 1) {
                    log.info("Reached the database at attempt {}", attempt);
                }
                status.databaseReached();
                return;
            }
            Duration next = pause;
            if (giveUp != null) {
                Duration left = Duration.between(clock.instant(), giveUp);
                if (left.isNegative() || left.isZero()) {
                    throw attempt == 1 ? unavailable : unavailable.afterWaiting(limit);
                }
                next = left.compareTo(pause) < 0 ? left : pause;
            }
            status.databaseUnavailable(unavailable.getMessage(), clock.instant());
            log.warn("{} - retrying in {} (attempt {}; {})", unavailable.getMessage(), seconds(next), attempt,
                    limit == null ? "the daemon waits for the database as long as it takes"
                            : "waiting up to " + seconds(limit) + ", partwarden.startup.database-wait");
            Thread.sleep(next.toMillis());
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
    }

    private DatabaseUnavailableException tryToConnect() {
        try {
            migration.checkConnection();
            return null;
        } catch (DatabaseUnavailableException unavailable) {
            return unavailable;
        }
    }

    /** The daemon goes on serving health while a thread of its own waits for the database, then migrates. */
    private void waitInBackground(DatabaseUnavailableException first) {
        Thread thread = new Thread(() -> {
            try {
                awaitDatabase(null, first);
                ready(prepare());
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException fatal) {
                stop(fatal);
            }
        }, "partwarden-database-wait");
        thread.setDaemon(true);
        waiting = thread;
        thread.start();
    }

    /** What would have stopped start-up, found once the database came: the same ending, later. */
    private void stop(RuntimeException fatal) {
        log.error("FAILED {}{}", fatal.getMessage(),
                fatal instanceof TableConfigurationException tables ? "\n" + tables.changed() : "");
        int code = SpringApplication.exit(context, ExitCode.FAILED::code);
        System.exit(code);
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    @Override
    public void destroy() {
        Thread thread = waiting;
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
        }
    }
}
