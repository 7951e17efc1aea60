package io.partwarden.demo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an earlier demo left behind when it was killed ({@code kill -9}: no shutdown hook ran):
 * its PostgreSQL still running and its ~120 MB directory. A demo directory is known by its
 * {@link DemoMarker}, never by a process name; one whose demo still runs is left alone, and so
 * is one that belongs to another user than this process (or, as root, than {@code nobody},
 * which runs root's demo servers).
 */
final class DemoLeftovers {

    private DemoLeftovers() {
    }

    /** Stops and deletes every leftover in {@code temp}; returns what it did, one sentence each. */
    static List<String> clear(Path temp) {
        List<String> told = new ArrayList<>();
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(temp, DemoPostgres.PREFIX + "*")) {
            for (Path home : candidates) {
                if (Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
                    DemoMarker.read(home).filter(marker -> !marker.ownerAlive())
                            .ifPresent(marker -> told.add(clear(home, marker)));
                }
            }
        } catch (IOException e) {
            told.add("--demo: could not look for the leftovers of earlier demos in " + temp + ": " + e.getMessage());
        }
        return told;
    }

    private static String clear(Path home, DemoMarker marker) {
        String earlier = "--demo: an earlier demo (process " + marker.pid() + ", gone without cleaning up) left " + home;
        String owner;
        try {
            owner = Files.getOwner(home, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException e) {
            return earlier + "; left alone, its owner cannot be read: " + e.getMessage();
        }
        boolean ours = owner.equals(System.getProperty("user.name"))
                || (DemoPostgres.runsAsRoot() && owner.equals(DemoPostgres.UNPRIVILEGED));
        if (!ours) {
            return earlier + "; left alone: it belongs to " + owner;
        }
        DemoPostgres leftover = DemoPostgres.leftover(home, marker);
        Optional<Long> postmaster = leftover.postmaster();
        String server = "its PostgreSQL was no longer running";
        if (postmaster.isPresent()) {
            try {
                leftover.stop();
            } catch (IOException | InterruptedException | RuntimeException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
            if (leftover.postmaster().isPresent()) {
                return earlier + " with its PostgreSQL running (postmaster " + postmaster.get() + ", port " + marker.port()
                        + ") and could not stop it, so the directory is kept: stop it with pg_ctl stop -m fast -D "
                        + home.resolve("data") + (DemoPostgres.runsAsRoot() ? " as " + DemoPostgres.UNPRIVILEGED : "")
                        + ", then delete " + home;
            }
            server = "stopped its PostgreSQL (postmaster " + postmaster.get() + ", port " + marker.port() + ", run as "
                    + owner + ") with pg_ctl stop -m fast";
        }
        long bytes = leftover.deleteFiles();
        if (Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
            return earlier + ": " + server + ", but could not delete the directory entirely";
        }
        return earlier + ": " + server + " and deleted the directory (" + bytes / (1024 * 1024) + " MB)";
    }
}
