package io.partwarden.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The command line, read once before anything starts: the one place that decides the mode. An
 * option that is neither a mode nor a property of a namespace Partwarden or Spring Boot reads is
 * refused (exit code 2), so that a typo ({@code --dry-rn}) never runs the daemon instead.
 *
 * @param mode what to run
 * @param help {@code --help} or {@code -h}: print the help and exit, nothing else
 * @param demo {@code --demo}: an embedded PostgreSQL with a MeshHook-like database
 * @param restore with {@link RunMode#RESTORE}, the manifest to load back
 * @param restoreInto with {@link RunMode#RESTORE}, the table to load it into, or null
 * @param listArchives with {@link RunMode#LIST_ARCHIVES}, the location to list, or null for
 *     {@code partwarden.archive.location}
 */
public record CommandLine(RunMode mode, boolean help, boolean demo, String restore, String restoreInto, String listArchives) {

    /** Property namespaces a command line may set ({@code --spring.datasource.url=...}). */
    static final List<String> NAMESPACES = List.of("spring", "server", "management", "logging", "partwarden");
    /** Spring Boot's own switches of its logging. */
    static final List<String> SWITCHES = List.of("debug", "trace");
    static final List<String> OPTIONS = List.of("once", "dry-run", "verify", "restore", "restore-into",
            "finish-conversion", "rollback-conversion", "convert", "list-archives", "demo", "help");

    public static final String USAGE = "usage: java -jar partwarden.jar [--once | --dry-run | --verify"
            + " | --restore=<manifest> [--restore-into=<schema.table>] | --finish-conversion | --rollback-conversion"
            + " | --convert | --list-archives[=<location>]] [--demo] [--<property>=<value> ...]"
            + "\n       java -jar partwarden.jar --help     (the modes, their exit codes, the properties most often set)";

    static final String MANIFEST_EXAMPLE = "/archive/public.workflow_events/20240101T000000Z_20240201T000000Z.manifest.json";

    /** Reads {@code args} as Spring Boot will (--name[=value]); refuses what is not Partwarden's. */
    public static CommandLine parse(String... args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new CommandLine(RunMode.DAEMON, true, false, null, null, null);
            }
        }
        Set<String> modes = new LinkedHashSet<>();
        boolean demo = false;
        String restore = null;
        String restoreInto = null;
        String listArchives = null;
        for (String arg : args) {
            if (!arg.startsWith("--") || arg.length() == 2 || arg.charAt(2) == '=') {
                throw new CommandLineException("'" + arg + "' is not an option: each begins with -- and a name,"
                        + " e.g. --once or --spring.datasource.url=jdbc:postgresql://db:5432/app");
            }
            String text = arg.substring(2);
            int equals = text.indexOf('=');
            String name = equals < 0 ? text : text.substring(0, equals);
            String value = equals < 0 ? null : text.substring(equals + 1);
            switch (name) {
                case "once", "dry-run", "verify", "finish-conversion", "rollback-conversion", "convert" -> {
                    flag(name, value);
                    modes.add("--" + name);
                }
                case "demo" -> {
                    flag(name, value);
                    demo = true;
                }
                case "restore" -> {
                    modes.add("--" + name);
                    restore = required(name, value, "the path of an archive manifest: --restore=" + MANIFEST_EXAMPLE);
                }
                case "list-archives" -> {
                    modes.add("--" + name);
                    if (value != null) {
                        listArchives = required(name, value, "a location after its =, a directory or s3://bucket/prefix:"
                                + " --list-archives=s3://archives/partwarden, or no value for partwarden.archive.location");
                    }
                }
                case "restore-into" -> restoreInto = required(name, value,
                        "a table, optionally schema-qualified: --restore-into=public.workflow_events_restored");
                default -> {
                    if (!isProperty(name)) {
                        throw new CommandLineException(unknown(arg, name));
                    }
                }
            }
        }
        if (modes.size() > 1) {
            throw new CommandLineException(String.join(" and ", modes) + " are " + modes.size() + " modes; give one");
        }
        if (restoreInto != null && restore == null) {
            throw new CommandLineException("--restore-into goes with --restore=<manifest>: it names where that archive is loaded");
        }
        List<String> options = modes.stream().map(m -> m.substring(2)).toList();
        return new CommandLine(RunMode.of(options), false, demo, restore, restoreInto, listArchives);
    }

    private static void flag(String name, String value) {
        if (value != null) {
            throw new CommandLineException("--" + name + " takes no value: give --" + name + " alone, not --" + name + "=" + value);
        }
    }

    private static String required(String name, String value, String what) {
        if (value == null || value.isBlank()) {
            throw new CommandLineException("--" + name + " needs " + what);
        }
        return value;
    }

    /** A property of a known namespace ({@code spring.datasource.url}), or Spring Boot's --debug / --trace. */
    static boolean isProperty(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (SWITCHES.contains(lower)) {
            return true;
        }
        int end = namespaceEnd(lower);
        return end < lower.length() - 1 && lower.charAt(end) == '.' && NAMESPACES.contains(lower.substring(0, end));
    }

    private static int namespaceEnd(String name) {
        int dot = name.indexOf('.');
        int bracket = name.indexOf('[');
        int end = dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
        return end < 0 ? name.length() : end;
    }

    private static String unknown(String arg, String name) {
        String problem = "--" + name + " is neither a mode (--once, --dry-run, --verify, --restore=<manifest>,"
                + " --finish-conversion, --rollback-conversion, --convert, --list-archives, --demo, --help)"
                + " nor a property of " + String.join(".*, ", NAMESPACES) + ".*";
        int end = namespaceEnd(name);
        Optional<String> suggestion;
        if (end < name.length()) {
            suggestion = Nearest.to(name.substring(0, end), NAMESPACES).map(namespace -> namespace + name.substring(end));
        } else {
            List<String> candidates = new ArrayList<>(OPTIONS);
            candidates.addAll(SWITCHES);
            suggestion = Nearest.to(name, candidates);
        }
        return problem + suggestion.map(s -> "; did you mean --" + s + "?").orElse("");
    }

    /** What {@code --help} prints. */
    public static String helpText() {
        return """
                Partwarden keeps time-range-partitioned PostgreSQL tables healthy.

                %s

                Modes, and their exit codes:
                  (none)      the daemon: migrates, runs a pass at start-up and on partwarden.schedule;
                              runs until stopped
                  --once      migrates, runs one pass, exits: 0 every table converged (or another
                              replica held the lock), 1 an action failed
                  --dry-run   prints the next pass as the SQL it would run, changes nothing: 0, or
                              1 a table could not be planned
                  --verify    checks the spec's invariants, changes nothing: 0 all hold, 1 problems
                              (each listed)
                  --restore=<manifest> [--restore-into=<schema.table>]
                              migrates, loads one archive back: 0 restored, 1 refused (nothing changed)
                  --finish-conversion
                              drops the plain table an online conversion kept for a rollback: 0
                              finished, 1 nothing to finish or refused (nothing changed)
                  --rollback-conversion
                              before the cut-over gives the online conversion up; after it swaps the
                              plain table back with every change made since: 0 done, 1 refused
                  --convert   starts the online conversion again after --rollback-conversion gave it
                              up, carries it through its cut-over: 0 converted, 1 not (saying why)
                  --list-archives[=<location>]
                              lists the archives in a directory or s3://bucket/prefix (unset:
                              partwarden.archive.location) from their manifests: table, range,
                              rows, size, when; needs no database: 0 listed (none is no error),
                              1 the location cannot be read or an archive is damaged (named)
                  --demo      with any mode: an embedded PostgreSQL holding a MeshHook-like database,
                              when no spring.datasource.url is given
                  --help, -h  this text: 0
                Any mode exits %d when the command line or the configuration is not valid (before
                anything connects), and %d when the database cannot be reached in the time allowed.

                Properties most often set, as --name=value, as an environment variable
                (SPRING_DATASOURCE_URL, PARTWARDEN_TABLES_0_RETENTION) or in an application.yml:
                  spring.datasource.url            jdbc:postgresql://HOST:5432/DB
                  spring.datasource.username       a role that owns the partitioned tables
                  spring.datasource.password
                  partwarden.tables[0].retention   how long rows are kept: 12m, 90d, 1y; unset, forever
                  partwarden.tables[0].on-retire   what becomes of a retired partition: drop, detach,
                                                   archive (a verified file) or archive-table
                partwarden.tables[0] is {events-schema}.workflow_events (public.workflow_events) unless
                partwarden.tables[0].name names another table.
                Every property, its default and what it allows: README.md, section Properties.
                """.formatted(USAGE, ExitCode.USAGE.code(), ExitCode.DATABASE_UNAVAILABLE.code());
    }
}
