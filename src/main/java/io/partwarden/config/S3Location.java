package io.partwarden.config;

import java.util.regex.Pattern;

/**
 * Where archives go in S3-compatible object storage: {@code s3://bucket/prefix}. Each archive's
 * objects are named under the prefix as its files are under a directory:
 * {@code {prefix}/{schema}.{table}/{lower}_{upper}.copy.gz} and {@code ….manifest.json}.
 *
 * @param prefix empty, or a key prefix ending in {@code /}
 */
public record S3Location(String bucket, String prefix) {

    public static final String SCHEME = "s3://";

    /** S3's rules for bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public static boolean isS3(String location) {
        return location != null && location.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Parses {@code s3://bucket/prefix}, refusing what S3 would refuse or read otherwise, in words
     * that name what is wrong and what is allowed.
     *
     * @param property the property it came from, for the message
     */
    public static S3Location parse(String location, String property) {
        if (!location.startsWith(SCHEME)) {
            throw new IllegalArgumentException(property + "=" + location + " is not an S3 location: it must start with "
                    + SCHEME + " in lower case (s3://bucket/prefix)");
        }
        String rest = location.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException(property + "=" + location + ": '" + bucket + "' is not a bucket name: 3 to 63"
                    + " lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit");
        }
        if (prefix.startsWith("/") || prefix.contains("//")) {
            throw new IllegalArgumentException(property + "=" + location + ": the prefix '" + prefix + "' has an empty"
                    + " segment (a doubled or leading slash); write s3://" + bucket + "/path/to/archives");
        }
        for (String segment : prefix.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(property + "=" + location + ": the prefix may not hold '" + segment
                        + "' segments: object keys are not paths, and a store may read them as one");
            }
        }
        if (prefix.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(property + "=" + location + ": the prefix holds a control character");
        }
        return new S3Location(bucket, prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/");
    }

    /** The object key of {@code name} (a relative name, {@code /}-separated) under the prefix. */
    public String key(String name) {
        return prefix + name;
    }

    /** {@code s3://bucket/key} of an object under the prefix. */
    public String uri(String name) {
        return SCHEME + bucket + "/" + key(name);
    }

    @Override
    public String toString() {
        return SCHEME + bucket + "/" + prefix;
    }
}
