package io.partwarden.config;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Checks the configuration once every source is read (after the config files and --demo's
 * database) and before the application context starts: unknown names under {@code partwarden.*},
 * then the binding and its constraints. A problem stops start-up there, with exit code 2 and a
 * report naming each property, before anything connects to the database and without the
 * context's "cancelling refresh attempt" warning. Then logs the effective configuration of each table.
 */
public class ConfigurationCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ConfigurationCheck.class);

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        List<String> unknown = UnknownProperties.problems(ConfigurationPropertySources.get(event.getEnvironment()));
        if (!unknown.isEmpty()) {
            throw new InvalidConfigurationException(unknown, null);
        }
        PartwardenProperties properties = PropertiesBinding.bind(event.getEnvironment());
        EffectiveConfiguration.lines(properties).forEach(line -> log.info("{}", line));
    }

    /** After the listeners that read the config files, run --demo's set-up and start logging. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
