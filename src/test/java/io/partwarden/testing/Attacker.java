package io.partwarden.testing;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A role with CREATE on schema public that plants operators PostgreSQL prefers to pg_catalog's
 * wherever public is on the path: exact matches for comparisons of oid with regclass, which
 * catalog queries make all the time. Each call is logged with the role that ran it, then
 * answers as pg_catalog would. Lives in one test database; {@link #close} drops the role.
 */
public final class Attacker implements AutoCloseable {

    private final TestDatabase db;
    private final String role;

    private Attacker(TestDatabase db, String role) {
        this.db = db;
        this.role = role;
    }

    public static Attacker plantOperators(TestDatabase db) {
        String role = ("pw_mallory_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
        db.execute("CREATE ROLE " + role + " NOLOGIN");
        Attacker attacker = new Attacker(db, role);
        db.execute("""
                GRANT CREATE ON SCHEMA public TO %1$s;
                CREATE TABLE public.mallory_log (who text NOT NULL, called_at timestamptz NOT NULL DEFAULT now());
                ALTER TABLE public.mallory_log OWNER TO %1$s;
                GRANT INSERT ON public.mallory_log TO PUBLIC;
                SET ROLE %1$s;
                CREATE FUNCTION public.mallory_eq(oid, regclass) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO public.mallory_log (who) VALUES (current_user); RETURN $1 OPERATOR(pg_catalog.=) $2::oid; END $$;
                CREATE FUNCTION public.mallory_eq(regclass, oid) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO public.mallory_log (who) VALUES (current_user); RETURN $1::oid OPERATOR(pg_catalog.=) $2; END $$;
                CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.mallory_eq);
                CREATE OPERATOR public.= (LEFTARG = regclass, RIGHTARG = oid, FUNCTION = public.mallory_eq);
                RESET ROLE;""".formatted(role));
        return attacker;
    }

    public String role() {
        return role;
    }

    /** How often another role ran the planted code. */
    public long callsByOthers() {
        return db.jdbc().queryForObject("SELECT count(*) FROM public.mallory_log WHERE who <> ?", Long.class, role);
    }

    /**
     * Whether the planted operator runs for a plain session, whose path has public on it: the
     * proof that a count of zero elsewhere means something. Clears the log after.
     */
    public boolean runsOnAPlainPath() {
        db.jdbc().queryForList("SELECT 1 FROM pg_class c WHERE c.oid = 'pg_class'::regclass");
        boolean ran = callsByOthers() > 0;
        db.jdbc().update("DELETE FROM public.mallory_log");
        return ran;
    }

    @Override
    public void close() {
        db.execute("DROP OWNED BY " + role + "; DROP ROLE " + role);
    }
}
