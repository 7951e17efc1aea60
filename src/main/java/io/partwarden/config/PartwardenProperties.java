package io.partwarden.config;

import io.partwarden.meshhook.MeshHookEvents;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.validation.annotation.Validated;

/**
 * Everything Partwarden is told, under {@code partwarden.*}. Bound and validated at start-up:
 * a wrong value stops the service with a message that names the property and what is allowed.
 *
 * @param eventsSchema schema holding MeshHook's {@code workflow_events}, which the migration
 *     creates, converts or adopts, and where the spec's SQL API functions are installed
 * @param migration how the migration waits for locks
 * @param tables the partitioned tables to maintain; by default {@code workflow_events},
 *     monthly, 3 months ahead, nothing ever removed. The first table's name defaults to
 *     {@code {events-schema}.workflow_events}, so that {@code partwarden.tables[0].retention=12m}
 *     alone acts on it (Spring Boot replaces the whole default list); a later table has no default
 * @param schedule when the maintenance pass runs: a Spring cron expression of six fields
 *     (second minute hour day-of-month month day-of-week); 2 AM every day as in the spec
 * @param scheduleZone the time zone the schedule is read in
 * @param passAtStartup whether the service also runs a pass as soon as it has started
 * @param lock how replicas agree that only one of them runs a pass
 * @param metrics how the partition statistics behind metrics and health are read
 * @param health when the {@code partitions} health component turns DOWN
 * @param archive where and how {@code on-retire: archive} writes archive files
 * @param startup how long start-up waits for the database
 */
@Validated
@ConfigurationProperties("partwarden")
public record PartwardenProperties(
        @DefaultValue("public") @NotBlank String eventsSchema,
        @DefaultValue @Valid Migration migration,
        @Valid List<@Valid Table> tables,
        @DefaultValue("0 0 2 * * *") @NotBlank String schedule,
        @DefaultValue("UTC") @NotNull ZoneId scheduleZone,
        @DefaultValue("true") boolean passAtStartup,
        @DefaultValue @Valid Lock lock,
        @DefaultValue @Valid Metrics metrics,
        @DefaultValue @Valid Health health,
        @DefaultValue @Valid Archive archive,
        @DefaultValue @Valid Startup startup) {

    /** PostgreSQL's limit on a name, in bytes; a longer one is silently truncated. */
    static final int NAME_BYTES = 63;

    public PartwardenProperties {
        checkEventsSchema(eventsSchema);
        String eventsTable = MeshHookEvents.qualified(eventsSchema);
        if (tables == null || tables.isEmpty()) {
            tables = List.of(Table.named(eventsTable));
        }
        tables = named(tables, eventsTable);
        for (int i = 0; i < tables.size(); i++) {
            Period retention = tables.get(i).retention();
            if (retention != null && (retention.isNegative() || retention.isZero())) {
                throw new IllegalArgumentException("partwarden.tables[" + i + "].retention: " + Spelling.of(retention)
                        + " is not a positive period; write one as " + Spelling.PERIOD_FORMS
                        + ", or leave it unset to keep everything");
            }
            if (tables.get(i).onRetire() == OnRetire.ARCHIVE && !archive.configured()) {
                throw new IllegalArgumentException("partwarden.archive.location (a directory, or s3://bucket/prefix) must be"
                        + " set: partwarden.tables[" + i + "].on-retire is archive (table " + tables.get(i).name()
                        + "), and archives are written there");
            }
        }
        if (!CronExpression.isValidExpression(schedule)) {
            throw new IllegalArgumentException("partwarden.schedule: '" + schedule + "' is not a cron expression;"
                    + " six fields are expected (second minute hour day-of-month month day-of-week), e.g. '0 0 2 * * *'");
        }
    }

    /** The first table without a name is {schema}.workflow_events; a later one must be named. */
    private static List<Table> named(List<Table> tables, String eventsTable) {
        List<Table> named = new ArrayList<>(tables);
        for (int i = 0; i < named.size(); i++) {
            String name = named.get(i).name();
            if (name == null && i == 0) {
                named.set(0, named.get(0).withName(eventsTable));
            } else if (i == 0 && name.isBlank()) {
                throw new IllegalArgumentException("partwarden.tables[0].name: blank; give a table, or leave it unset for "
                        + eventsTable);
            } else if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("partwarden.tables[" + i + "].name: " + (name == null ? "not given" : "blank")
                        + "; every table after the first needs its name (only partwarden.tables[0] defaults, to "
                        + eventsTable + ")");
            }
        }
        return List.copyOf(named);
    }

    /**
     * The events schema is substituted as a Flyway placeholder into the migration's SQL text:
     * inside '...' strings, "..." names and $$ / $migrate$ bodies. Refused are exactly the values
     * that would break it there, or the default table {schema}.workflow_events (split at the first
     * dot); any other character is kept as written, spaces, case and control characters included.
     */
    static void checkEventsSchema(String schema) {
        if (schema == null || schema.isBlank()) {
            return; // @NotBlank says so
        }
        String problem = null;
        if (schema.indexOf('\'') >= 0 || schema.indexOf('"') >= 0) {
            problem = "contains a quote, which would end a string or a quoted name in the migration";
        } else if (schema.indexOf('\\') >= 0) {
            problem = "contains a backslash, which a string of the migration reads as an escape where"
                    + " standard_conforming_strings is off";
        } else if (schema.indexOf('$') >= 0) {
            problem = "contains a $, which can end a dollar-quoted body of the migration ($$, $migrate$)";
        } else if (schema.indexOf('\0') >= 0) {
            problem = "contains a NUL character, which PostgreSQL refuses in text";
        } else if (schema.indexOf('.') >= 0) {
            problem = "contains a dot: a table name is split into schema and table at its first dot, so "
                    + schema + ".workflow_events could not be named";
        } else if (schema.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_BYTES) {
            problem = "is " + schema.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + " bytes in UTF-8, more than PostgreSQL's " + NAME_BYTES + " (it would cut the name short)";
        }
        if (problem != null) {
            throw new IllegalArgumentException("partwarden.events-schema: '" + schema + "' " + problem
                    + "; allowed: a schema name of 1 to " + NAME_BYTES + " bytes in UTF-8, written as it is"
                    + " (case and spaces are kept, e.g. Events Schema), without quotes, backslashes, $, dots or NUL");
        }
    }

    /**
     * @param lockTimeout how long each attempt waits for the conversion's locks; keep it below
     *     the server's deadlock_timeout (1 s by default) so a lock cycle with a writer makes
     *     the migration, not the writer, give way
     * @param lockAttempts attempts before the migration gives up, changing nothing
     * @param sqlApiLockTimeout the lock wait the spec's SQL functions use when their caller has
     *     set no lock_timeout (as under pg_cron)
     * @param conversion how a plain workflow_events becomes partitioned: {@code auto} (online
     *     above {@code online-above} rows by the catalog's estimate, else in place), {@code online}
     *     or {@code in-place}
     * @param onlineAbove the row count above which {@code auto} converts online
     * @param online how the online conversion paces itself and cuts over
     */
    public record Migration(
            @DefaultValue("500ms") @NotNull Duration lockTimeout,
            @DefaultValue("40") @Min(1) @Max(1000) int lockAttempts,
            @DefaultValue("2s") @NotNull Duration sqlApiLockTimeout,
            @DefaultValue("auto") @NotNull ConversionMethod conversion,
            @DefaultValue("100000") @Min(0) long onlineAbove,
            @DefaultValue @Valid Online online) {
    }

    /**
     * The online conversion: a copy beside the live table, kept current from a change log, then
     * swapped in one short transaction.
     *
     * @param batchRows rows copied by the first backfill batch; later batches are sized so each
     *     takes {@code batch-target}
     * @param batchTarget how long one backfill batch (its own transaction) should take
     * @param rowsPerSecond the most rows copied per second, 0 for no limit
     * @param maxReplicaLag the backfill pauses while a standby's replay lag exceeds this, 0 to
     *     ignore replicas
     * @param cutoverBacklog the cut-over is tried once at most this many captured changes wait
     * @param cutoverHold how long the cut-over may hold its locks once it has them; over it, it
     *     gives up, changing nothing, and tries again
     * @param cutoverTimeout {@code --once} fails if the cut-over has not succeeded this long after
     *     it was first tried
     * @param finishAfter the old table is kept this long after the cut-over, for a rollback, then
     *     dropped; 0 to keep it until {@code --finish-conversion}
     */
    public record Online(
            @DefaultValue("1000") @Min(1) @Max(1_000_000) int batchRows,
            @DefaultValue("200ms") @NotNull Duration batchTarget,
            @DefaultValue("0") @Min(0) long rowsPerSecond,
            @DefaultValue("10s") @NotNull Duration maxReplicaLag,
            @DefaultValue("1000") @Min(1) int cutoverBacklog,
            @DefaultValue("400ms") @NotNull Duration cutoverHold,
            @DefaultValue("30m") @NotNull Duration cutoverTimeout,
            @DefaultValue("7d") @NotNull Duration finishAfter) {

        static final String PREFIX = "partwarden.migration.online.";

        public Online {
            positive("batch-target", batchTarget, "a batch would be sized to take no time");
            positive("cutover-hold", cutoverHold, "the cut-over could never hold its locks");
            positive("cutover-timeout", cutoverTimeout, "--once would fail before its first cut-over attempt");
            notNegative("max-replica-lag", maxReplicaLag, "0 ignores replicas");
            notNegative("finish-after", finishAfter, "0 keeps the old table until --finish-conversion");
        }

        private static void positive(String property, Duration value, String whyNotZero) {
            if (value != null && (value.isNegative() || value.isZero())) {
                throw new IllegalArgumentException(PREFIX + property + ": " + Spelling.of(value) + " is not a positive duration ("
                        + whyNotZero + "); write one as " + Spelling.DURATION_FORMS);
            }
        }

        private static void notNegative(String property, Duration value, String zeroMeans) {
            if (value != null && value.isNegative()) {
                throw new IllegalArgumentException(PREFIX + property + ": " + Spelling.of(value) + " is negative; give 0 or more ("
                        + zeroMeans + "), written as " + Spelling.DURATION_FORMS);
            }
        }
    }

    /**
     * @param atMostFor how long a pass may hold the lock before another replica may take it,
     *     should this one die holding it; longer than the longest pass
     * @param atLeastFor how long the lock is held even after a quick pass, so replicas whose
     *     clocks or schedules differ by a little do not run a second, empty pass
     * @param onceWait how long {@code --once} waits for a lock another replica holds before
     *     it reports the skip
     */
    public record Lock(
            @DefaultValue("1h") @NotNull Duration atMostFor,
            @DefaultValue("10s") @NotNull Duration atLeastFor,
            @DefaultValue("10m") @NotNull Duration onceWait) {
    }

    /**
     * @param refreshInterval how often the partition statistics (sizes, rows, bounds) are read,
     *     one query per table, in the background: a scrape reads what the last refresh found
     *     and never queries the database itself
     * @param lockTimeout how long the statistics query may wait for a lock (sizes open every
     *     partition); a refresh that times out marks the table's catalog down
     * @param statementTimeout how long the statistics query of one table may run
     */
    public record Metrics(
            @DefaultValue("15s") @NotNull Duration refreshInterval,
            @DefaultValue("1s") @NotNull Duration lockTimeout,
            @DefaultValue("10s") @NotNull Duration statementTimeout) {
    }

    /**
     * @param runwayThreshold the {@code partitions} component is DOWN when a table's runway (time
     *     to the end of its newest partition) is shorter than this; unset, one interval of the
     *     table (a month for a monthly table)
     * @param maxConsecutiveFailures the component is DOWN after this many failed passes in a row
     */
    public record Health(
            Duration runwayThreshold,
            @DefaultValue("3") @Min(1) int maxConsecutiveFailures) {
    }

    /**
     * @param directory where {@code on-retire: archive} writes archives: a directory or a mounted
     *     volume, one folder per table, a {@code .copy.gz} file and a {@code .manifest.json} per
     *     retired range. Checked before each partition is detached: missing, not writable or
     *     with less room than the partition takes uncompressed, the partition stays attached
     * @param location where archives go: a directory path (as {@code directory}) or
     *     {@code s3://bucket/prefix}, S3-compatible object storage reached as {@code s3} says,
     *     with credentials from the AWS SDK's default chain (never from Partwarden's properties)
     * @param s3 how to reach the store when {@code location} is {@code s3://…}
     * @param compressionLevel gzip level of archive files, 1 (fastest) to 9 (smallest); 6 is
     *     what gzip itself uses by default
     * @param compressionThreads threads that compress an archive, each its own 1 MiB blocks
     *     (the file stays one gzip file), 0 to 64; 0, the default, one per processor. Each
     *     holds about 1.5 MiB of heap while it works
     * @param restoreLockTimeout how long {@code --restore} may wait to attach the partition it
     *     recreated (ATTACH blocks no writer while it waits)
     */
    public record Archive(
            Path directory,
            String location,
            @DefaultValue S3 s3,
            @DefaultValue("6") @Min(1) @Max(9) int compressionLevel,
            @DefaultValue("0") @Min(0) @Max(64) int compressionThreads,
            @DefaultValue("1m") @NotNull Duration restoreLockTimeout) {

        static final String LOCATION = "partwarden.archive.location";

        public Archive {
            if (location != null && location.isBlank()) {
                location = null;
            }
            if (location != null && S3Location.isS3(location)) {
                S3Location.parse(location, LOCATION); // refused now, naming what is wrong, not at the first retirement
                if (directory != null) {
                    throw new IllegalArgumentException(LOCATION + "=" + location + " and partwarden.archive.directory="
                            + directory + " are both set; archives go to one place: keep one of them");
                }
            } else if (location != null) {
                Path path = Path.of(location);
                if (directory != null && !directory.equals(path)) {
                    throw new IllegalArgumentException(LOCATION + "=" + location + " and partwarden.archive.directory="
                            + directory + " name two directories; archives go to one place: keep one of them");
                }
                directory = path;
                location = null;
            }
        }

        /** The S3 location archives go to, or null when they go to {@link #directory}. */
        public S3Location s3Location() {
            return location == null ? null : S3Location.parse(location, LOCATION);
        }

        /** Whether archives have somewhere to go. */
        public boolean configured() {
            return directory != null || location != null;
        }

        /** Where archives go, as configured: the directory or {@code s3://bucket/prefix}. */
        public String describe() {
            return location != null ? location : String.valueOf(directory);
        }

        public int compressionThreadsOrDefault() {
            return compressionThreads > 0 ? compressionThreads : Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * @param endpoint the store's URL, for an S3-compatible store (MinIO, Ceph, Garage, …); unset
     *     for AWS S3 itself
     * @param region the region to sign requests for; unset, the SDK's (AWS_REGION, the profile),
     *     or {@code us-east-1} when an endpoint is given
     * @param pathStyle {@code bucket} in the path rather than the host name: true for most
     *     self-hosted stores
     */
    public record S3(java.net.URI endpoint, String region, @DefaultValue("false") boolean pathStyle) {
    }

    /**
     * @param databaseWait how long {@code --once} waits for the database to accept connections
     *     (retrying with a pause growing from 1 s to 30 s) before it exits 3 naming the cause. The
     *     daemon waits as long as it takes; {@code --dry-run}, {@code --verify} and {@code --restore}
     *     try once
     */
    public record Startup(
            @DefaultValue("60s") @NotNull Duration databaseWait) {
    }

    /**
     * @param name the partitioned table, optionally schema-qualified; case is kept as written.
     *     Unset, the first table is {@code {events-schema}.workflow_events}; a later one must have one
     * @param column the partition key: the table must be partitioned by range on this one
     *     timestamptz column
     * @param interval how much time one partition holds
     * @param premake intervals kept made ahead of the current one
     * @param retention how long data is kept, as a period ({@code 12m}, {@code 90d},
     *     {@code 1y}): a partition is retired once its whole range lies before now minus this;
     *     unset, nothing is ever removed
     * @param timeZone the zone in which intervals begin (midnight, Monday, the 1st)
     * @param lockTimeout how long one attempt of a partition change waits for a lock before it
     *     is rolled back and retried
     * @param detachTimeout how long a concurrent detach may wait for older transactions on
     *     the table to finish (they block no writer meanwhile)
     * @param maxAttempts attempts per partition change before it is reported as failed
     * @param onRetire what becomes of a retired partition once detached: {@code drop} it,
     *     keep it renamed ({@code detach}), write it to a verified file under
     *     {@code partwarden.archive.directory} and then drop it ({@code archive}), or move its
     *     rows into {@code archive-table} and drop it
     * @param archiveTable with {@code on-retire: archive-table}, the table (optionally
     *     schema-qualified) that receives the rows; made like the parent if missing; unset,
     *     {@code {table}_archive} beside the table
     * @param defaultPartition whether the table should have a DEFAULT partition, to catch rows
     *     no partition covers rather than refuse them; made if missing. It costs something:
     *     PostgreSQL then refuses DETACH CONCURRENTLY, so retirement detaches plainly, and
     *     making a partition locks the default partition briefly
     */
    public record Table(
            String name,
            @DefaultValue("ts") @NotBlank String column,
            @DefaultValue("month") @NotNull Interval interval,
            @DefaultValue("3") @Min(0) @Max(1000) int premake,
            Period retention,
            @DefaultValue("UTC") @NotNull ZoneId timeZone,
            @DefaultValue("300ms") @NotNull Duration lockTimeout,
            @DefaultValue("10m") @NotNull Duration detachTimeout,
            @DefaultValue("5") @Min(1) @Max(100) int maxAttempts,
            @DefaultValue("drop") @NotNull OnRetire onRetire,
            String archiveTable,
            @DefaultValue("false") boolean defaultPartition) {

        /** Where {@code archive-table} puts the rows: {@code archive-table}, or {@code {table}_archive}. */
        public String archiveTableOrDefault() {
            return archiveTable != null ? archiveTable : name + "_archive";
        }

        Table withName(String name) {
            return new Table(name, column, interval, premake, retention, timeZone, lockTimeout, detachTimeout, maxAttempts,
                    onRetire, archiveTable, defaultPartition);
        }

        public static Table named(String name) {
            return new Table(name, "ts", Interval.MONTH, 3, null, ZoneId.of("UTC"),
                    Duration.ofMillis(300), Duration.ofMinutes(10), 5, OnRetire.DROP, null, false);
        }
    }
}
