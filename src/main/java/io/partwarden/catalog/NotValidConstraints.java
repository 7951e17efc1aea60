package io.partwarden.catalog;

/**
 * A plain table's CHECK constraints, and from PostgreSQL 18 its NOT NULL constraints, that are NOT
 * VALID: rows may break them. The conversion makes the partitioned table {@code LIKE} the plain one,
 * which copies them valid, so the first row that breaks one stops the copy, in place or online;
 * refused before anything changes instead, naming them.
 */
public final class NotValidConstraints {

    /** One parameter, the table as regclass text; a row only if it has such constraints, in the refusals' words. */
    public static final String REFUSAL = """
            SELECT 'constraints of it are NOT VALID: '
                   || string_agg(format('%I (%s)', conname, pg_get_constraintdef(oid)), ', ' ORDER BY conname)
                   || '; the partitioned table would get them valid (CREATE TABLE ... LIKE copies them so), and a row'
                   || ' breaking one would stop the copy (validate them first, ALTER TABLE ... VALIDATE CONSTRAINT, or drop them)'
              FROM pg_constraint
             WHERE conrelid = ?::regclass AND contype IN ('c', 'n') AND NOT convalidated
            HAVING count(*) > 0""";

    private NotValidConstraints() {
    }
}
