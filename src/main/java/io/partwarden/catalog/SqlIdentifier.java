package io.partwarden.catalog;

/** PostgreSQL's quoting of a name, as quote_ident gives it (always quoted: case and spaces are kept). */
public final class SqlIdentifier {

    private SqlIdentifier() {
    }

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public static String qualified(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }
}
