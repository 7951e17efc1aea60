package io.partwarden;

import io.partwarden.cli.CommandLine;
import io.partwarden.cli.CommandLineException;
import io.partwarden.cli.ExitCode;
import io.partwarden.cli.RunMode;
import io.partwarden.config.ConfigFileLocation;
import io.partwarden.config.ConfigurationCheck;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PartwardenApplication {

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
        ConfigFileLocation.besideTheJar(PartwardenApplication.class)
                .ifPresent(location -> application.setDefaultProperties(ConfigFileLocation.property(location)));
        // the configuration is bound and checked before the context starts: nothing connects if it is wrong
        application.addListeners(new ConfigurationCheck());
        return application;
    }
}
