package io.partwarden.command;

import io.partwarden.archive.ArchiveException;
import io.partwarden.archive.ArchiveListing;
import io.partwarden.archive.ArchiveStore;
import io.partwarden.archive.ArchiveStores;
import io.partwarden.archive.Manifest;
import io.partwarden.catalog.SqlTime;
import io.partwarden.cli.CommandLine;
import io.partwarden.cli.ConditionalOnRunMode;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.PartwardenProperties;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * {@code --list-archives[=<location>]}: what a directory or {@code s3://bucket/prefix} holds, read
 * from its manifests alone (no data file is read, no database reached): per archive the table,
 * range, rows, stored size, when it was written and the manifest to give {@code --restore}. Exit 0
 * when listed (an empty location too), 1 when the location cannot be listed or an archive is
 * damaged (each named), 2 when no location is given or configured, or it is not a valid one.
 */
@Component
@ConditionalOnRunMode(RunMode.LIST_ARCHIVES)
public class ListArchivesCommand implements ApplicationRunner, ExitCodeGenerator {

    static final String NO_LOCATION = "--list-archives needs a location: give --list-archives=<directory or s3://bucket/prefix>,"
            + " or set partwarden.archive.location";

    private final ArchiveStores stores;
    private final PartwardenProperties.Archive settings;
    private final PrintStream out;
    private int exitCode;

    public ListArchivesCommand(ArchiveStores stores, PartwardenProperties properties) {
        this.stores = stores;
        this.settings = properties.archive();
        this.out = System.out;
    }

    @Override
    public void run(ApplicationArguments args) {
        String location = CommandLine.parse(args.getSourceArgs()).listArchives();
        if (location == null && !settings.configured()) {
            System.err.println("partwarden: " + NO_LOCATION);
            exitCode = ExitCode.USAGE.code();
            return;
        }
        ArchiveListing listing;
        try (ArchiveStore store = location == null ? stores.configured() : stores.at(location, "--list-archives")) {
            listing = ArchiveListing.of(store);
        } catch (IllegalArgumentException e) {
            System.err.println("partwarden: " + e.getMessage());
            exitCode = ExitCode.USAGE.code();
            return;
        } catch (ArchiveException e) {
            out.println("Cannot list archives in " + (location == null ? settings.describe() : location) + ": " + e.getMessage());
            exitCode = ExitCode.FAILED.code();
            return;
        }
        print(listing);
        exitCode = listing.problems().isEmpty() ? ExitCode.OK.code() : ExitCode.FAILED.code();
    }

    private void print(ArchiveListing listing) {
        long tables = listing.archives().stream().map(a -> a.manifest().table()).distinct().count();
        out.printf(Locale.ROOT, "Archives in %s: %d of %d %s, %d rows, %s%n", listing.location(), listing.archives().size(), tables,
                tables == 1 ? "table" : "tables", listing.rows(), megabytes(listing.bytes()));
        if (!listing.archives().isEmpty()) {
            out.printf(Locale.ROOT, "%-32s %-20s %-20s %12s %14s %-20s %s%n", "TABLE", "FROM", "TO", "ROWS", "BYTES", "ARCHIVED AT",
                    "MANIFEST");
        }
        for (ArchiveListing.Archive archive : listing.archives()) {
            Manifest manifest = archive.manifest();
            out.printf(Locale.ROOT, "%-32s %-20s %-20s %12d %14s %-20s %s%n", manifest.table().toTableName(),
                    bound(manifest.lowerBound()), bound(manifest.upperBound()), manifest.rows(),
                    archive.storedBytes() < 0 ? "missing" : Long.toString(archive.storedBytes()), bound(manifest.archivedAt()),
                    archive.manifestLocation());
        }
        listing.withoutManifest().forEach(data -> out.println("INCOMPLETE " + data + ": no manifest names it (a retirement"
                + " interrupted or under way; the next pass writes it again)"));
        listing.problems().forEach(problem -> out.println("PROBLEM " + problem));
    }

    private static String bound(Instant at) {
        return at == null ? "" : SqlTime.isInfinite(at) ? (at.isBefore(Instant.EPOCH) ? "-infinity" : "infinity") : at.toString();
    }

    /** MB, or kB below one: a few kilobytes of archives are not "0.0 MB". */
    private static String megabytes(long bytes) {
        return bytes > 0 && bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1e3)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
