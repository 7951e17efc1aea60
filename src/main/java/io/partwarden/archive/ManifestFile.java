package io.partwarden.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes manifests, refusing any that lacks a field, is not Partwarden's or is a symbolic link. */
public final class ManifestFile {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ManifestFile() {
    }

    static String toJson(Manifest manifest) {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n";
    }

    public static Manifest read(Path path) {
        return read(DirectoryStore.of(path), DirectoryStore.nameOf(path));
    }

    /** The manifest {@code name} in {@code store}, checked field by field. */
    public static Manifest read(ArchiveStore store, String name) {
        String path = store.describe(name);
        String text;
        try (InputStream in = store.open(name, "manifest")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ArchiveException("manifest " + path + " does not exist");
        } catch (IOException e) {
            throw new ArchiveException("cannot read manifest " + path + ": " + e, e);
        }
        Manifest manifest;
        try {
            manifest = JSON.readValue(text, Manifest.class);
        } catch (MismatchedInputException e) {
            requireFormat(path, JSON.readTree(text).path("format").asText(null)); // another file is named as such, not as incomplete
            throw new ArchiveException("manifest " + path + " is incomplete: " + field(e) + wrongValue(e), e);
        } catch (JacksonException e) {
            throw new ArchiveException(path + " is not a Partwarden archive manifest: " + e.getOriginalMessage(), e);
        }
        requireFormat(path, manifest.format());
        if (manifest.table() == null || manifest.partition() == null || manifest.rangeColumn() == null
                || manifest.lowerBound() == null || manifest.upperBound() == null || manifest.columns() == null
                || manifest.columns().isEmpty() || manifest.file() == null || manifest.fileSha256() == null
                || manifest.contentCrc32c() == null || manifest.copySettings() == null || manifest.recreateDdl() == null) {
            throw new ArchiveException("manifest " + path + " is incomplete: table, partition, range column, bounds, columns,"
                    + " file, checksums, COPY settings and recreate DDL are all required");
        }
        // the manifest carries no checksum of its own: what it may make a session do is fixed here
        if (!"text".equals(manifest.copyFormat()) || !ArchiveWriter.COPY_SETTINGS.equals(manifest.copySettings())) {
            throw new ArchiveException("manifest " + path + " was written in COPY format " + manifest.copyFormat() + " under "
                    + manifest.copySettings() + "; Partwarden reads only format text under " + ArchiveWriter.COPY_SETTINGS);
        }
        if (Path.of(manifest.file()).getNameCount() != 1 || manifest.file().startsWith(".")) {
            throw new ArchiveException("manifest " + path + " names data file " + manifest.file()
                    + "; it must be a plain file name beside the manifest");
        }
        return manifest;
    }

    private static void requireFormat(String path, String format) {
        if (!Manifest.FORMAT.equals(format)) {
            throw new ArchiveException(path + " is not a Partwarden archive manifest: format is " + format
                    + ", expected " + Manifest.FORMAT);
        }
    }

    /** The field a value is wrong in, as the manifest writes it: {@code rows}, {@code columns[0].name}. */
    private static String field(JacksonException e) {
        StringBuilder field = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                field.append('[').append(reference.getIndex()).append(']');
            }
        }
        return field.isEmpty() ? "a field" : field.toString();
    }

    private static String wrongValue(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        String expected = type == long.class || type == int.class ? "a whole number"
                : type == null ? "a value" : "a " + type.getSimpleName();
        if (e instanceof InvalidFormatException invalid) {
            return " is " + invalid.getValue() + ", not " + expected;
        }
        // Jackson reports a number that is absent or null as "Cannot map `null` into type `long`"
        return e.getOriginalMessage().contains("`null`") ? " is missing or null; " + expected + " is required"
                : " is not in its form: " + e.getOriginalMessage();
    }
}
