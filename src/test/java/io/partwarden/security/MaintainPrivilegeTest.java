package io.partwarden.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.partwarden.testing.Commands;
import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.MonthlyPartitions;
import io.partwarden.testing.TestDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * PostgreSQL 17 added the MAINTAIN privilege (VACUUM, ANALYZE, REINDEX, REFRESH, CLUSTER, LOCK
 * TABLE without owning the table). A role the operators granted it on the parent, say the one
 * their vacuum job runs as, must have it on every partition too, as it has the parent's other
 * grants; and --verify names a partition that lacks it. On servers before 17 the privilege does
 * not exist, so there is nothing to carry and the class is skipped.
 */
@VersionSensitive
@ExtendWith(OutputCaptureExtension.class)
class MaintainPrivilegeTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static String maintainer;

    @BeforeAll
    static void theParentGrantsMaintainToARoleOfItsOwn() {
        if (TestDatabase.serverVersion() < 170000) {
            return; // each test is skipped, saying why
        }
        TestProperties.migrate(database.get());
        maintainer = ("pw_maintainer_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
        database.get().execute("CREATE ROLE " + maintainer + " NOLOGIN; GRANT MAINTAIN ON workflow_events TO " + maintainer);
    }

    @BeforeEach
    void onPostgres17OrLater() {
        assumeTrue(TestDatabase.serverVersion() >= 170000,
                "MAINTAIN exists from PostgreSQL 17; this server is " + TestDatabase.serverVersion());
    }

    @AfterAll
    static void dropTheRole() {
        if (maintainer != null) {
            database.get().execute("DROP OWNED BY " + maintainer + "; DROP ROLE " + maintainer);
        }
    }

    @Test
    void aPartitionMadeByAPassCarriesTheParentsMaintainGrant() {
        String newest = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC).plusMonths(3));
        database.get().execute("DROP TABLE " + newest); // empty: the pass makes it again

        assertThat(Commands.run(database.get(), "--once")).isZero();

        assertThat(maintainPrivilegeOf(newest)).as("MAINTAIN on the partition the pass made").isTrue();
        assertThat(database.get().jdbc().queryForList("""
                SELECT a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
                 WHERE c.oid = ?::regclass AND a.grantee = ?::regrole""", String.class, newest, maintainer))
                .as("granted on the partition itself, not only reachable through the parent").containsExactly("MAINTAIN");
    }

    @Test
    void aPartitionMissingTheParentsMaintainGrantIsReportedByVerifyAndGivenItByThePass(CapturedOutput output) {
        assertThat(Commands.run(database.get(), "--once")).isZero(); // every partition in line first
        String partition = MonthlyPartitions.name(YearMonth.now(ZoneOffset.UTC));
        database.get().execute("REVOKE MAINTAIN ON " + partition + " FROM " + maintainer);
        assertThat(maintainPrivilegeOf(partition)).isFalse();

        assertThat(Commands.run(database.get(), "--verify")).isEqualTo(1);
        assertThat(output.getOut()).contains("access of public." + partition + " differs from the parent's:"
                + " privileges of the parent's rule missing: MAINTAIN to " + maintainer);

        assertThat(Commands.run(database.get(), "--once")).isZero();
        assertThat(maintainPrivilegeOf(partition)).isTrue();
        int before = output.getOut().length();
        assertThat(Commands.run(database.get(), "--verify")).isZero();
        assertThat(output.getOut().substring(before)).doesNotContain("differs from the parent's");
    }

    private static boolean maintainPrivilegeOf(String table) {
        return database.get().jdbc().queryForObject("SELECT has_table_privilege(?, ?::regclass, 'MAINTAIN')", Boolean.class,
                maintainer, table);
    }
}
