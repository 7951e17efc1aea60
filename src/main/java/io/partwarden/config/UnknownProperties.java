package io.partwarden.config;

import io.partwarden.cli.Nearest;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Names under {@code partwarden.*} that are no property, from any source (the command line,
 * environment variables in their relaxed form, application.yml): Spring Boot's binder would ignore
 * them, so a typo ({@code premak}) would silently leave the default in place. Each is named with
 * where it was given and the nearest valid name at its level.
 *
 * <p>The valid names are read from {@link PartwardenProperties} itself (its record components,
 * nested records and lists of records), so they cannot drift from what is bound.
 */
final class UnknownProperties {

    static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("partwarden");

    /**
     * Names the service sets or reads itself beside its properties, accepted with anything under
     * them and never suggested: --demo's database ({@code partwarden.demo.*}) and the crash tests'
     * {@code PARTWARDEN_FAILPOINT}.
     */
    static final Set<String> INTERNAL = Set.of("demo", "failpoint");

    /**
     * The property source --demo adds: its tables are a default that anything given elsewhere
     * replaces, on purpose (see DemoEnvironment), so it does not count as a second place.
     */
    static final String DEMO_SOURCE = "partwarden-demo";

    private static final Level PROPERTIES = Level.of(PartwardenProperties.class);

    private UnknownProperties() {
    }

    /** Every problem found in these sources, one line each; empty when all is well. */
    static List<String> problems(Iterable<ConfigurationPropertySource> sources) {
        List<String> problems = new ArrayList<>();
        Map<String, String> tablesGivenIn = new LinkedHashMap<>();
        for (ConfigurationPropertySource source : sources) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            iterable.stream().filter(ROOT::isAncestorOf).sorted().forEach(name -> {
                if (isServiceLink(source, name)) {
                    return;
                }
                String where = where(source, name);
                problem(name).ifPresent(problem -> problems.add(name + " (" + where + ")" + problem));
                if (isTablesEntry(name) && !DEMO_SOURCE.equals(sourceName(source))) {
                    tablesGivenIn.putIfAbsent(sourceName(source), name + " " + where);
                }
            });
        }
        if (tablesGivenIn.size() > 1) {
            problems.add("partwarden.tables is given in " + tablesGivenIn.size() + " places: "
                    + String.join("; and ", tablesGivenIn.values()) + ". Spring Boot takes the whole list from the first"
                    + " of them and ignores the others' entries: give every partwarden.tables[...] property in one place");
        }
        return problems;
    }

    /** Why this name is not a property, to follow the name; empty if it is one. */
    static Optional<String> problem(ConfigurationPropertyName name) {
        Level level = PROPERTIES;
        StringBuilder at = new StringBuilder("partwarden");
        boolean inList = false;
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            String element = name.getElement(i, Form.UNIFORM);
            if (inList) {
                if (!element.chars().allMatch(Character::isDigit) || element.isEmpty()) {
                    return Optional.of(": " + at + " is a list, its entries numbered from 0: " + at + "[0]."
                            + name.getElement(i, Form.ORIGINAL) + ", " + at + "[1]." + name.getElement(i, Form.ORIGINAL)
                            + ", ...");
                }
                at.append('[').append(element).append(']');
                inList = false;
            } else if (level == null) {
                return Optional.of(": " + at + " takes a value, it has no properties under it");
            } else if (i == 1 && INTERNAL.contains(element)) {
                return Optional.empty();
            } else if (name.isNumericIndex(i) || !level.names.containsKey(element)) {
                return Optional.of(unknown(name, i, level, at.toString()));
            } else {
                at.append('.').append(level.names.get(element));
                inList = level.lists.containsKey(element);
                level = inList ? level.lists.get(element) : level.nested.get(element);
            }
        }
        return Optional.empty();
    }

    private static String unknown(ConfigurationPropertyName name, int index, Level level, String at) {
        String typed = name.getElement(index, Form.ORIGINAL);
        Optional<String> suggestion = Nearest.to(typed, level.names.values())
                .or(() -> level.pathTo(name.getElement(index, Form.UNIFORM)));
        return " is not a property" + suggestion.map(s -> "; did you mean " + s + "?").orElse(".")
                + " Valid under " + at + ": " + String.join(", ", level.names.values());
    }

    /** An entry of partwarden.tables, e.g. partwarden.tables[0].name. */
    private static boolean isTablesEntry(ConfigurationPropertyName name) {
        return name.getNumberOfElements() > 2 && name.getElement(1, Form.UNIFORM).equals("tables");
    }

    /**
     * Environment variables of the same prefix that are not meant for the service: Kubernetes gives
     * every container PARTWARDEN_SERVICE_HOST, PARTWARDEN_PORT, PARTWARDEN_PORT_9470_TCP... when a
     * Service named partwarden exists in its namespace, and the test suite reads
     * PARTWARDEN_TEST_JDBC_URL (the server to test against) in the JVM the service runs in.
     */
    private static boolean isServiceLink(ConfigurationPropertySource source, ConfigurationPropertyName name) {
        if (!(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)) {
            return false;
        }
        String first = name.getElement(1, Form.UNIFORM);
        return first.equals("service") || first.equals("port") || first.equals("test");
    }

    private static String sourceName(ConfigurationPropertySource source) {
        return source.getUnderlyingSource() instanceof org.springframework.core.env.PropertySource<?> propertySource
                ? propertySource.getName() : String.valueOf(source.getUnderlyingSource());
    }

    /** Where a property was given, in words: on the command line, in environment variable X, in file F line N. */
    static String where(ConfigurationPropertySource source, ConfigurationPropertyName name) {
        ConfigurationProperty property = source.getConfigurationProperty(name);
        Origin origin = property != null ? property.getOrigin() : null;
        if (origin instanceof PropertySourceOrigin from && from.getOrigin() != null) {
            origin = from.getOrigin(); // what the source knows: a file and line, an environment variable
        }
        if (origin instanceof SystemEnvironmentOrigin variable) {
            return "from environment variable " + variable.getProperty();
        }
        if (origin instanceof TextResourceOrigin text && text.getResource() != null) {
            return "from " + text.getResource().getDescription()
                    + (text.getLocation() != null ? " line " + (text.getLocation().getLine() + 1) : "");
        }
        if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource variables) {
            // a source without origins: the variable is the name in upper case, _ for each separator
            String variable = name.toString().toUpperCase(Locale.ROOT).replaceAll("[.\\[\\]-]+", "_").replaceAll("_$", "");
            return variables.containsProperty(variable) ? "from environment variable " + variable : "from the environment";
        }
        if (origin instanceof PropertySourceOrigin from) {
            return from.getPropertySource().getName().equals(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME)
                    ? "from the command line" : "from property source " + from.getPropertySource().getName();
        }
        return origin != null ? "from " + origin : "from " + sourceName(source);
    }

    /** One level of the properties: a record's components, by their uniform name (lower case, no dashes). */
    private static final class Level {

        /** Uniform name to the name as the README writes it (kebab case). */
        final Map<String, String> names = new LinkedHashMap<>();
        final Map<String, Level> nested = new LinkedHashMap<>();
        final Map<String, Level> lists = new LinkedHashMap<>();

        static Level of(Class<?> record) {
            Level level = new Level();
            for (RecordComponent component : record.getRecordComponents()) {
                String written = component.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
                String uniform = written.replace("-", "");
                level.names.put(uniform, written);
                Class<?> type = component.getType();
                if (type.isRecord()) {
                    level.nested.put(uniform, of(type));
                } else if (List.class.isAssignableFrom(type)
                        && component.getGenericType() instanceof ParameterizedType list
                        && list.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
                    level.lists.put(uniform, of(element));
                }
            }
            return level;
        }

        /** Where a property of this uniform name lies deeper down, e.g. tables[0].retention. */
        Optional<String> pathTo(String uniform) {
            for (Map.Entry<String, Level> entry : nested.entrySet()) {
                String prefix = names.get(entry.getKey()) + ".";
                if (entry.getValue().names.containsKey(uniform)) {
                    return Optional.of(prefix + entry.getValue().names.get(uniform));
                }
            }
            for (Map.Entry<String, Level> entry : lists.entrySet()) {
                String prefix = names.get(entry.getKey()) + "[0].";
                if (entry.getValue().names.containsKey(uniform)) {
                    return Optional.of(prefix + entry.getValue().names.get(uniform));
                }
            }
            return Optional.empty();
        }
    }
}
