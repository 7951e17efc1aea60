package io.partwarden.archive;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.config.S3Location;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * Opens the store archives go to ({@code partwarden.archive.location}), and the store of a
 * manifest named by a path or an {@code s3://} URI (a retirement's record, {@code --restore}),
 * an S3 one reached as {@code partwarden.archive.s3} says. Each is closed by its user.
 */
@Component
public class ArchiveStores {

    /** A manifest's store and its name there. */
    public record Stored(ArchiveStore store, String name) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    private final PartwardenProperties.Archive settings;

    public ArchiveStores(PartwardenProperties properties) {
        this.settings = properties.archive();
    }

    /** The configured store: the directory, or the S3 location. */
    public ArchiveStore configured() {
        S3Location s3 = settings.s3Location();
        return s3 == null ? new DirectoryStore(settings.directory()) : s3(s3);
    }

    /**
     * The store at {@code location}, a directory path or {@code s3://bucket/prefix}; an S3 one
     * reached as {@code partwarden.archive.s3} says; an S3 location that is not valid is refused
     * ({@link IllegalArgumentException}) naming {@code source}.
     */
    public ArchiveStore at(String location, String source) {
        if (S3Location.isS3(location)) {
            return s3(S3Location.parse(location, source));
        }
        return new DirectoryStore(Path.of(location));
    }

    /** The store and name of the manifest {@code reference} names: a file path, or {@code s3://bucket/key}. */
    public Stored manifest(String reference) {
        if (S3Location.isS3(reference)) {
            S3Location object = S3Location.parse(reference, "the manifest");
            String key = object.prefix().endsWith("/") ? object.prefix().substring(0, object.prefix().length() - 1)
                    : object.prefix();
            if (key.isEmpty()) {
                throw new ArchiveException(reference + " names a bucket, not a manifest: s3://bucket/path/to/….manifest.json");
            }
            return new Stored(s3(new S3Location(object.bucket(), "")), key);
        }
        Path path = Path.of(reference);
        return new Stored(DirectoryStore.of(path), DirectoryStore.nameOf(path));
    }

    private ArchiveStore s3(S3Location location) {
        PartwardenProperties.S3 s3 = settings.s3();
        return S3Store.open(location, s3.endpoint(), s3.region(), s3.pathStyle());
    }
}
