package io.partwarden.testing;

import io.partwarden.PartwardenApplication;
import io.partwarden.cli.CommandLineException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The service's run-and-exit commands, in this JVM, as their command line would run them. */
public final class Commands {

    private Commands() {
    }

    /**
     * Runs the application with the database's datasource and {@code extra}, and returns its exit
     * code: 2 for a command line refused before anything starts. A start-up that fails throws.
     */
    public static int run(TestDatabase db, String... extra) {
        return runAs(db, db.user(), db.password(), extra);
    }

    /** As {@link #run}, connecting as another role. */
    public static int runAs(TestDatabase db, String user, String password, String... extra) {
        return runOn(db.url(), user, password, extra);
    }

    /** As {@link #run}, on any JDBC URL: a port nothing listens on, a database or host that does not exist. */
    public static int runOn(String url, String user, String password, String... extra) {
        List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + url,
                "--spring.datasource.username=" + user, "--spring.datasource.password=" + password));
        args.addAll(List.of(extra));
        String[] commandLine = args.toArray(String[]::new);
        SpringApplication application;
        try {
            application = PartwardenApplication.application(commandLine);
        } catch (CommandLineException e) {
            System.err.println(e.report()); // as main prints it, before anything starts
            return e.getExitCode();
        }
        ConfigurableApplicationContext context = application.run(commandLine);
        return SpringApplication.exit(context);
    }
}
