package io.partwarden.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a store holds, read from its manifests only (the data is not read): each archive with its
 * table, range, rows, size and when it was written; a data file no manifest names (a retirement
 * interrupted or under way: its manifest is written last); a manifest that cannot be read or whose
 * data is missing or not the size it names, each with the reason.
 */
public record ArchiveListing(String location, List<Archive> archives, List<String> withoutManifest, List<String> problems) {

    /** One archive: its manifest's name and its fields, and the data's size as stored. */
    public record Archive(String manifestName, String manifestLocation, Manifest manifest, long storedBytes) {
    }

    /** Reads every manifest under the store; a store that cannot be listed throws {@link ArchiveException}. */
    public static ArchiveListing of(ArchiveStore store) {
        List<String> names;
        try {
            names = store.listAll();
        } catch (IOException e) {
            throw new ArchiveException("cannot list " + store.describe() + ": " + e.getMessage(), e);
        }
        List<Archive> archives = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> named = new HashSet<>();
        for (String name : names) {
            if (!name.endsWith(ArchiveNames.MANIFEST_SUFFIX)) {
                continue;
            }
            try {
                Manifest manifest = ManifestFile.read(store, name);
                String data = ArchiveNames.sibling(name, manifest.file());
                named.add(data);
                long stored = store.size(data);
                if (stored < 0) {
                    problems.add(store.describe(data) + ", which manifest " + store.describe(name) + " names, is missing");
                } else if (stored != manifest.fileBytes()) {
                    problems.add(store.describe(data) + " holds " + stored + " bytes, its manifest names " + manifest.fileBytes()
                            + " (truncated or replaced)");
                }
                archives.add(new Archive(name, store.locate(name), manifest, stored));
            } catch (ArchiveException | IOException e) {
                problems.add(e.getMessage());
            }
        }
        List<String> withoutManifest = names.stream()
                .filter(name -> name.endsWith(ArchiveNames.DATA_SUFFIX) && !named.contains(name))
                .map(store::describe).toList();
        archives.sort(Comparator.comparing((Archive a) -> a.manifest().table().schema())
                .thenComparing(a -> a.manifest().table().name()).thenComparing(a -> a.manifest().lowerBound()));
        return new ArchiveListing(store.describe(), List.copyOf(archives), withoutManifest, List.copyOf(problems));
    }

    public long rows() {
        return archives.stream().mapToLong(a -> a.manifest().rows()).sum();
    }

    public long bytes() {
        return archives.stream().mapToLong(a -> Math.max(0, a.storedBytes())).sum();
    }
}
