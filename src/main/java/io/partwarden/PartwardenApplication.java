package io.partwarden;

import io.partwarden.maintenance.RunMode;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PartwardenApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = application(args).run(args);
        if (RunMode.of(context.getEnvironment()) != RunMode.DAEMON) {
            System.exit(SpringApplication.exit(context));
        }
    }

    /** The commands that run and exit serve no HTTP: health and metrics belong to the daemon. */
    public static SpringApplication application(String... args) {
        SpringApplication application = new SpringApplication(PartwardenApplication.class);
        if (RunMode.of(args) != RunMode.DAEMON) {
            application.setWebApplicationType(WebApplicationType.NONE);
        }
        return application;
    }
}
