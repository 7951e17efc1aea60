package io.partwarden.testing;

/**
 * A monthly table {@code (id, at, note)} partitioned on {@code at}, with January and February
 * 2024 made by Partwarden and filled, 100 rows each (ids 1-100, 101-200): both long past any
 * retention a test sets.
 */
public final class OldMonths {

    private OldMonths() {
    }

    public static void create(TestDatabase db, String name) {
        db.execute("""
                CREATE TABLE %1$s (id bigint NOT NULL, at timestamptz NOT NULL, note text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                SELECT partwarden.create_month_partition('%1$s', '2024-01-15');
                SELECT partwarden.create_month_partition('%1$s', '2024-02-15');
                INSERT INTO %1$s SELECT g, '2024-01-01'::timestamptz + make_interval(hours => g * 7), 'n' || g FROM generate_series(1, 100) g;
                INSERT INTO %1$s SELECT g, '2024-02-01'::timestamptz + make_interval(hours => (g - 100) * 6), 'n' || g FROM generate_series(101, 200) g;
                """.formatted(name));
    }
}
