package io.partwarden.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.FreshDatabase;
import io.partwarden.testing.TestProperties;
import io.partwarden.testing.VersionSensitive;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

/** The states spelled once in Java agree with the table that records them. */
@VersionSensitive
class RetirementStateTest {

    @RegisterExtension
    static final FreshDatabase database = new FreshDatabase();

    static JdbcTemplate jdbc;

    @BeforeAll
    static void migrate() {
        TestProperties.migrate(database.get());
        jdbc = database.get().jdbc();
    }

    @Test
    void theTablesCheckConstraintAllowsExactlyTheEnumsStates() {
        String check = jdbc.queryForObject("""
                SELECT pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE conrelid = 'partwarden.retirement'::regclass AND conname = 'retirement_state_check'""", String.class);
        assertThat(quoted(check)).isEqualTo(spellings(EnumSet.allOf(RetirementState.class)));
    }

    @Test
    void theUnderWayIndexAndFunctionAgreeWithTheEnum() {
        String index = jdbc.queryForObject("SELECT pg_get_indexdef('partwarden.retirement_under_way'::regclass)", String.class);
        Set<RetirementState> underWay = EnumSet.noneOf(RetirementState.class);
        for (RetirementState state : RetirementState.values()) {
            if (state.underWay()) {
                underWay.add(state);
            }
            assertThat(jdbc.queryForObject("SELECT partwarden.is_under_way(?)", Boolean.class, state.sql()))
                    .as("partwarden.is_under_way('%s')", state.sql()).isEqualTo(state.underWay());
        }
        assertThat(quoted(index.substring(index.indexOf(" WHERE ")))).isEqualTo(spellings(underWay));
        assertThat(quoted(RetirementState.underWayList())).isEqualTo(spellings(underWay));
    }

    @Test
    void endedStatesGoNowhereAndEveryStateUnderWayMayEnd() {
        for (RetirementState state : RetirementState.values()) {
            if (state.underWay()) {
                assertThat(state.next()).contains(RetirementState.DROPPED, RetirementState.KEPT, RetirementState.GONE);
            } else {
                assertThat(state.next()).as(state.sql()).isEmpty();
            }
        }
        assertThat(RetirementState.DETACHING.next()).doesNotContain(RetirementState.ARCHIVED, RetirementState.VERIFIED);
        assertThat(RetirementState.DETACHED.next()).doesNotContain(RetirementState.VERIFIED); // archived and read back first
    }

    @Test
    void anUnknownSpellingIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> RetirementState.of("archiving"))
                .hasMessage("unknown retirement state 'archiving': one of detaching, detached, archived, verified, dropped,"
                        + " kept, gone");
        assertThat(Arrays.stream(RetirementState.values()).map(s -> RetirementState.of(s.sql())))
                .containsExactly(RetirementState.values());
    }

    private static Set<String> quoted(String sql) {
        Set<String> words = new TreeSet<>();
        Matcher m = Pattern.compile("'([a-z_]+)'").matcher(sql);
        while (m.find()) {
            words.add(m.group(1));
        }
        return words;
    }

    private static Set<String> spellings(Set<RetirementState> states) {
        Set<String> words = new TreeSet<>();
        states.forEach(s -> words.add(s.sql()));
        return words;
    }
}
