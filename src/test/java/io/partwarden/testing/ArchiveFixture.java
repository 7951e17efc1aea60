package io.partwarden.testing;

import java.util.Map;

/**
 * A monthly table, mixed case and in a schema with a space, whose rows hold what COPY's text
 * format must escape: tabs, newlines, backslashes, NULLs, bytes, JSON, floats that need every
 * digit. January and February 2024 hold {@code rowsPerMonth} rows each.
 */
public final class ArchiveFixture {

    public static final String SCHEMA = "Audit Trail";
    public static final String QUALIFIED = "\"Audit Trail\".\"Events\"";
    public static final String JANUARY = "\"Audit Trail\".\"Events_y2024m01\"";
    public static final String FEBRUARY = "\"Audit Trail\".\"Events_y2024m02\"";

    /** Count and checksum of every row and column of a table, in id order. */
    public static final String ROWS = "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t.\"Id\")), '') FROM %s t";

    private ArchiveFixture() {
    }

    public static void create(TestDatabase db, int rowsPerMonth) {
        db.execute("""
                DROP SCHEMA IF EXISTS "Audit Trail" CASCADE;
                DELETE FROM partwarden.retirement WHERE parent_schema = 'Audit Trail';
                CREATE SCHEMA "Audit Trail";
                CREATE TABLE "Audit Trail"."Events" (
                  "Id" bigint NOT NULL, "At" timestamptz NOT NULL, note text, amount numeric(12,2), payload jsonb,
                  flag boolean, data bytea, ratio float8, tags text[],
                  PRIMARY KEY ("Id", "At")) PARTITION BY RANGE ("At");
                CREATE INDEX events_note_idx ON "Audit Trail"."Events" (note);
                SELECT partwarden.create_month_partition('"Audit Trail"."Events"', '2024-01-15');
                SELECT partwarden.create_month_partition('"Audit Trail"."Events"', '2024-02-15');
                INSERT INTO "Audit Trail"."Events"
                SELECT g, '2024-01-01'::timestamptz + (g - 1) * (interval '31 days' / %1$s),
                       CASE WHEN g %% 7 = 0 THEN NULL ELSE E'line ' || g || E'\\n\\ttab \\\\ back' || repeat('x', g %% 50) END,
                       g * 1.25, jsonb_build_object('n', g, 's', 'quote"d'), g %% 2 = 0, decode(md5(g::text), 'hex'),
                       1.0 / g, ARRAY['a' || g, NULL, 'c d']
                  FROM generate_series(1, %1$s) g;
                INSERT INTO "Audit Trail"."Events"
                SELECT g, '2024-02-01'::timestamptz + (g - %1$s - 1) * (interval '29 days' / %1$s), 'feb ' || g,
                       g, '{}', NULL, NULL, pi() * g, NULL
                  FROM generate_series(%1$s + 1, 2 * %1$s) g;
                """.formatted(rowsPerMonth));
    }

    /** Settings that retire both months (12 months' retention) into archive files under {@code directory}. */
    public static Map<String, String> archivingTo(String directory) {
        return Map.of("tables[0].name", "Audit Trail.Events", "tables[0].column", "At", "tables[0].premake", "1",
                "tables[0].retention", "12m", "tables[0].on-retire", "archive", "archive.directory", directory,
                "lock.at-least-for", "0s");
    }
}
