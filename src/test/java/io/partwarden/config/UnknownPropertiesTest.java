package io.partwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * A name under partwarden.* that is no property is refused wherever it was given, naming where
 * and the nearest valid name; every property the README documents, and the sample configuration,
 * pass.
 */
class UnknownPropertiesTest {

    static List<String> problems(PropertySource<?>... sources) {
        return UnknownProperties.problems(ConfigurationPropertySources.from(List.of(sources)));
    }

    static SimpleCommandLinePropertySource commandLine(String... args) {
        return new SimpleCommandLinePropertySource(args);
    }

    static SystemEnvironmentPropertySource environment(Map<String, Object> variables) {
        return new SystemEnvironmentPropertySource("systemEnvironment", variables);
    }

    @Test
    void aMistypedTablePropertyIsNamedWithTheNearestValidOne() {
        assertThat(problems(commandLine("--partwarden.tables[0].premak=6"))).singleElement().asString()
                .startsWith("partwarden.tables[0].premak (from the command line) is not a property; did you mean premake?")
                .contains("Valid under partwarden.tables[0]: name, column, interval, premake, retention, time-zone,");
    }

    @Test
    void aTablePropertyGivenAtTheTopIsShownWhereItBelongs() {
        assertThat(problems(commandLine("--partwarden.retention=12m"))).singleElement().asString()
                .startsWith("partwarden.retention (from the command line) is not a property; did you mean tables[0].retention?")
                .contains("Valid under partwarden: events-schema, migration, tables, schedule,");
    }

    @Test
    void aNameWithNothingNearIsListedWithWhatIsValidAtItsLevel() {
        assertThat(problems(commandLine("--partwarden.lock.wibble=1"))).singleElement().asString()
                .isEqualTo("partwarden.lock.wibble (from the command line) is not a property."
                        + " Valid under partwarden.lock: at-most-for, at-least-for, once-wait");
    }

    @Test
    void anEnvironmentVariableIsNamedAsItWasSet() {
        assertThat(problems(environment(Map.of("PARTWARDEN_TABLES_0_PREMAK", "6", "PARTWARDEN_SHEDULE", "x"))))
                .containsExactly(
                        "partwarden.shedule (from environment variable PARTWARDEN_SHEDULE) is not a property; did you mean"
                                + " schedule? Valid under partwarden: events-schema, migration, tables, schedule, schedule-zone,"
                                + " pass-at-startup, lock, metrics, health, archive, startup",
                        "partwarden.tables[0].premak (from environment variable PARTWARDEN_TABLES_0_PREMAK) is not a property;"
                                + " did you mean premake? Valid under partwarden.tables[0]: name, column, interval, premake,"
                                + " retention, time-zone, lock-timeout, detach-timeout, max-attempts, on-retire, archive-table,"
                                + " default-partition");
    }

    @Test
    void anApplicationYmlIsNamedWithItsLine(@org.junit.jupiter.api.io.TempDir Path directory) throws IOException {
        Path yml = Files.writeString(directory.resolve("application.yml"), """
                partwarden:
                  tables:
                    - name: public.workflow_events
                      retension: 12m
                """);
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("application.yml", new FileSystemResource(yml));

        assertThat(problems(sources.toArray(PropertySource[]::new))).singleElement().asString()
                .startsWith("partwarden.tables[0].retension (from file [" + yml + "] line 4) is not a property;"
                        + " did you mean retention?");
    }

    @Test
    void propertiesSetInTheirRelaxedFormsAreKnown() {
        assertThat(problems(environment(Map.of("PARTWARDEN_EVENTSSCHEMA", "public", "PARTWARDEN_TABLES_0_ONRETIRE", "archive",
                "PARTWARDEN_TABLES_1_TIMEZONE", "UTC", "PARTWARDEN_ARCHIVE_DIRECTORY", "/a", "PARTWARDEN_LOCK_ONCEWAIT", "1m"))))
                .isEmpty();
        assertThat(problems(commandLine("--partwarden.passAtStartup=false", "--partwarden.tables[0].lock_timeout=1s",
                "--partwarden.tables.2.name=x"))).isEmpty();
    }

    @Test
    void whatKubernetesAndTheServiceItselfSetIsNotRefused() {
        // a Service named partwarden gives every container of its namespace these variables
        assertThat(problems(environment(Map.of("PARTWARDEN_SERVICE_HOST", "10.0.0.7", "PARTWARDEN_SERVICE_PORT", "9470",
                "PARTWARDEN_PORT", "tcp://10.0.0.7:9470", "PARTWARDEN_PORT_9470_TCP_ADDR", "10.0.0.7",
                "PARTWARDEN_FAILPOINT", "retire.detached")),
                new MapPropertySource("partwarden-demo", Map.of("partwarden.demo.port", 5433, "partwarden.demo.directory", "/tmp/d"))))
                .isEmpty();
        assertThat(problems(commandLine("--partwarden.port=1"))).singleElement().asString()
                .startsWith("partwarden.port (from the command line) is not a property");
    }

    @Test
    void theTestSuitesServerVariableIsNotRefusedSoTheSuiteRunsAgainstAnyServer() {
        // README, Tests: PARTWARDEN_TEST_JDBC_URL points the suite (and the service it starts in its JVM) at a server
        assertThat(problems(environment(Map.of("PARTWARDEN_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:55418/postgres?user=postgres"))))
                .isEmpty();
        assertThat(problems(commandLine("--partwarden.test.jdbc-url=x"))).singleElement().asString()
                .startsWith("partwarden.test.jdbc-url (from the command line) is not a property");
    }

    @Test
    void tablesGivenInTwoPlacesAreRefusedSinceSpringBootWouldIgnoreOne() {
        assertThat(problems(commandLine("--partwarden.tables[0].premake=6"),
                environment(Map.of("PARTWARDEN_TABLES_0_NAME", "audit.events"))))
                .containsExactly("partwarden.tables is given in 2 places: partwarden.tables[0].premake from the command line;"
                        + " and partwarden.tables[0].name from environment variable PARTWARDEN_TABLES_0_NAME. Spring Boot takes"
                        + " the whole list from the first of them and ignores the others' entries: give every"
                        + " partwarden.tables[...] property in one place");
        assertThat(problems(commandLine("--partwarden.tables[0].premake=6"), new MapPropertySource("partwarden-demo",
                Map.of("partwarden.tables[0].name", "public.workflow_events"))))
                .as("--demo's tables are a default that anything else replaces").isEmpty();
    }

    @Test
    void everyPropertyTheReadmeDocumentsIsKnown() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Properties"), readme.indexOf("\n## ", readme.indexOf("## Properties") + 1));
        Matcher documented = Pattern.compile("^\\| `(partwarden\\.[^`]+)`", Pattern.MULTILINE).matcher(table);
        List<String> args = new ArrayList<>();
        while (documented.find()) {
            args.add("--" + documented.group(1).replace("[N]", "[0]") + "=x");
        }

        assertThat(args).hasSizeGreaterThan(25);
        assertThat(problems(commandLine(args.toArray(String[]::new)))).isEmpty();
    }

    @Test
    void theSampleConfigurationIsKnown() throws IOException {
        List<PropertySource<?>> sample = new YamlPropertySourceLoader().load("sample",
                new FileSystemResource(Path.of("config/application.sample.yml")));

        assertThat(sample).isNotEmpty();
        assertThat(problems(sample.toArray(PropertySource[]::new))).isEmpty();
    }

    @Test
    void aTableListWrittenWithoutIndexesIsNamed() {
        assertThat(problems(new MapPropertySource("application.properties", Map.of("partwarden.tables.name", "x"))))
                .singleElement().asString().startsWith("partwarden.tables.name (from property source application.properties)")
                .contains(": partwarden.tables is a list, its entries numbered from 0: partwarden.tables[0].name,");
    }
}
