package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.TestProperties;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code partwarden.events-schema} goes into the migration's SQL text as a Flyway placeholder:
 * the values that break it there (tried: {@code $$} and {@code $migrate$} end its dollar-quoted
 * bodies, a NUL is refused by PostgreSQL, more than 63 bytes is cut short) are refused when the
 * properties are bound; the others are kept as written.
 */
class EventsSchemaPropertyTest {

    static PartwardenProperties bind(String schema) {
        return TestProperties.partwarden(Map.of("events-schema", schema));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a$$b           | contains a $, which can end a dollar-quoted body of the migration",
            "a$migrate$b    | contains a $, which can end a dollar-quoted body of the migration",
            "a${b}          | contains a $",
            "it's           | contains a quote",
            "say \"hi\"     | contains a quote",
            "back\\slash    | contains a backslash",
            "audit.events   | contains a dot: a table name is split into schema and table at its first dot",
    })
    void aValueThatWouldBreakTheMigrationIsRefusedNamingWhatIsAllowed(String schema, String why) {
        assertThatThrownBy(() -> bind(schema)).rootCause()
                .hasMessageStartingWith("partwarden.events-schema: '" + schema + "' " + why)
                .hasMessageContaining("allowed: a schema name of 1 to 63 bytes in UTF-8, written as it is");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b"})
    void aNulCharacterIsRefused(String schema) {
        assertThatThrownBy(() -> bind(schema)).rootCause().hasMessageContaining("contains a NUL character");
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 100})
    void moreThan63BytesInUtf8IsRefusedEvenWhenFewerCharacters(int bytes) {
        String schema = "é".repeat(bytes / 2) + "x".repeat(bytes % 2); // half as many characters as bytes

        assertThatThrownBy(() -> bind(schema)).rootCause()
                .hasMessageContaining("is " + bytes + " bytes in UTF-8, more than PostgreSQL's 63");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 63})
    void upTo63BytesInUtf8IsAccepted(int bytes) {
        String schema = "é".repeat(bytes / 2) + "x".repeat(bytes % 2);

        assertThat(bind(schema).eventsSchema()).isEqualTo(schema);
    }

    @ParameterizedTest
    @ValueSource(strings = {"public", "Events Schema", " lead", "événements", "a%Ib", "a;b--c/*", "tab\there", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void anyOtherNameIsKeptAsWritten(String schema) {
        PartwardenProperties properties = bind(schema);

        assertThat(properties.eventsSchema()).isEqualTo(schema);
        assertThat(properties.tables()).singleElement().extracting(PartwardenProperties.Table::name)
                .isEqualTo(schema + ".workflow_events");
    }
}
