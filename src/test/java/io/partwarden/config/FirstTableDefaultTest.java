package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partwarden.testing.TestProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Period;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Spring Boot replaces a default list whole: {@code partwarden.tables[0].retention=12m} alone
 * makes a list of one table without a name. That first table's name defaults to
 * {@code {events-schema}.workflow_events}, as the README promises; a later table must be named.
 */
class FirstTableDefaultTest {

    @Test
    void aFirstTablePropertyAloneActsOnWorkflowEvents() {
        PartwardenProperties properties = TestProperties.partwarden(Map.of("tables[0].retention", "12m"));

        assertThat(properties.tables()).singleElement().satisfies(table -> {
            assertThat(table.name()).isEqualTo("public.workflow_events");
            assertThat(table.retention()).isEqualTo(Period.ofMonths(12));
            assertThat(table.premake()).isEqualTo(3);
        });
    }

    @Test
    void theDefaultNameIsInTheEventsSchema() {
        PartwardenProperties properties = TestProperties.partwarden(Map.of("events-schema", "Audit Log",
                "tables[0].premake", "6"));

        assertThat(properties.tables()).singleElement().extracting(PartwardenProperties.Table::name)
                .isEqualTo("Audit Log.workflow_events");
    }

    @Test
    void anEnvironmentVariableAloneActsOnWorkflowEvents() {
        PropertySource<?> environment = new SystemEnvironmentPropertySource("systemEnvironment",
                Map.of("PARTWARDEN_TABLES_0_PREMAKE", "6", "PARTWARDEN_TABLES_0_ONRETIRE", "archive-table"));

        PartwardenProperties properties = PropertiesBinding.bind(ConfigurationPropertySources.from(environment));

        assertThat(properties.tables()).singleElement().satisfies(table -> {
            assertThat(table.name()).isEqualTo("public.workflow_events");
            assertThat(table.premake()).isEqualTo(6);
            assertThat(table.onRetire()).isEqualTo(OnRetire.ARCHIVE_TABLE);
        });
    }

    @Test
    void anApplicationYmlHoldingOnlyTheRetentionActsOnWorkflowEvents() throws IOException {
        List<PropertySource<?>> yml = new YamlPropertySourceLoader().load("application.yml",
                new ByteArrayResource("partwarden.tables[0].retention: 12m\n".getBytes(StandardCharsets.UTF_8)));

        PartwardenProperties properties = PropertiesBinding.bind(ConfigurationPropertySources.from(yml));

        assertThat(properties.tables()).singleElement().satisfies(table -> {
            assertThat(table.name()).isEqualTo("public.workflow_events");
            assertThat(table.retention()).isEqualTo(Period.ofMonths(12));
        });
    }

    @Test
    void aLaterTableWithoutANameIsRefusedNamingItsIndex() {
        assertThatThrownBy(() -> TestProperties.partwarden(Map.of("tables[0].name", "audit.events",
                "tables[1].premake", "2"))).rootCause()
                .hasMessage("partwarden.tables[1].name: not given; every table after the first needs its name"
                        + " (only partwarden.tables[0] defaults, to public.workflow_events)");
        assertThatThrownBy(() -> TestProperties.partwarden(Map.of("tables[0].premake", "2", "tables[1].name", " ")))
                .rootCause().hasMessageStartingWith("partwarden.tables[1].name: blank;");
    }

    @Test
    void aTableAfterAGapIsRefusedSinceSpringBootNeverReadsIt() {
        assertThatThrownBy(() -> PropertiesBinding.bind(ConfigurationPropertySources.from(new SimpleCommandLinePropertySource(
                "--partwarden.tables[1].name=audit")))).hasMessageContaining("partwarden.tables[1].name: not read:"
                + " partwarden.tables is a list numbered from 0 without gaps, and an entry before this one is not given"
                + " (to keep the first table, {events-schema}.workflow_events, give partwarden.tables[0].name)");
    }

    @Test
    void aRetentionThatIsNotPositiveIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> TestProperties.partwarden(Map.of("tables[0].retention", "0d"))).rootCause()
                .hasMessageStartingWith("partwarden.tables[0].retention: 0d is not a positive period; write one as 12m (months),");
    }
}
