package io.partwarden;

import io.partwarden.maintenance.RunMode;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PartwardenApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(PartwardenApplication.class, args);
        if (RunMode.of(context.getEnvironment()) != RunMode.DAEMON) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
