package io.partwarden;

import io.partwarden.cli.CommandLine;
import io.partwarden.cli.CommandLineException;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.ConfigFileLocation;
import io.partwarden.config.ConfigurationCheck;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PartwardenApplication {

    /** The datasource of a mode that reads no database, unless one is configured: never reached. */
    static final String NO_DATABASE_URL = "jdbc:postgresql://no-database.invalid/none";

    public static void main(String[] args) {
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (CommandLineException e) {
            System.err.println(e.report());
            System.exit(e.getExitCode());
            return;
        }
        if (commandLine.help()) {
            System.out.print(CommandLine.helpText());
            System.exit(ExitCode.OK.code());
            return;
        }
        ConfigurableApplicationContext context;
        try {
            context = application(commandLine).run(args);
        } catch (RuntimeException e) {
            // already reported (a failure analyzer's report, or the stack trace); the code says of what kind
            System.exit(ExitCode.of(e));
            return;
        }
        if (commandLine.mode() != RunMode.DAEMON) {
            System.exit(SpringApplication.exit(context));
        }
    }

    /**
     * The application for this command line, which it refuses ({@link CommandLineException}, exit
     * code 2) before anything starts if it is not valid.
     */
    public static SpringApplication application(String... args) {
        return application(CommandLine.parse(args));
    }

    /** The commands that run and exit serve no HTTP: health and metrics belong to the daemon. */
    static SpringApplication application(CommandLine commandLine) {
        if (commandLine.help()) {
            throw new IllegalArgumentException("--help is answered by main, without starting the application");
        }
        SpringApplication application = new SpringApplication(PartwardenApplication.class);
        if (commandLine.mode() != RunMode.DAEMON) {
            application.setWebApplicationType(WebApplicationType.NONE);
        }
        Map<String, Object> defaults = new HashMap<>();
        ConfigFileLocation.besideTheJar(PartwardenApplication.class)
                .ifPresent(location -> defaults.putAll(ConfigFileLocation.property(location)));
        if (!commandLine.mode().needsDatabase()) {
            // the pool is made with every context but connects only when asked, and this mode never asks:
            // without a URL of the operator's it is given one that names no host rather than refuse to start
            defaults.put("spring.datasource.url", NO_DATABASE_URL);
        }
        application.setDefaultProperties(defaults);
        // the configuration is bound and checked before the context starts: nothing connects if it is wrong
        application.addListeners(new ConfigurationCheck());
        return application;
    }
}
