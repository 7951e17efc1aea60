package io.partwarden.catalog;

/**
 * A table as configured: {@code events} or {@code audit.Events}. Case is kept exactly as written
 * and every use in SQL quotes it, so {@code Events} means the table whose name has a capital E.
 */
public record TableName(String schema, String name) {

    public TableName {
        if (schema == null || schema.isBlank() || name == null || name.isBlank()) {
            throw new IllegalArgumentException("a table needs a schema and a name, got " + schema + "." + name);
        }
    }

    /** Splits at the first dot; without one the table is in {@code public}. */
    public static TableName parse(String qualified) {
        int dot = qualified.indexOf('.');
        return dot < 0 ? new TableName("public", qualified)
                : new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
