package io.partwarden.conversion;

import io.partwarden.catalog.SqlIdentifier;
import java.util.List;
import java.util.stream.Collectors;

/** The stored columns a copy names, quoted, in the table's order (generated columns are computed again). */
record Columns(List<String> names) {

    String list() {
        return names.stream().map(SqlIdentifier::quote).collect(Collectors.joining(", "));
    }

    static final String STORED = """
            SELECT attname FROM pg_attribute WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
             ORDER BY attnum""";
}
