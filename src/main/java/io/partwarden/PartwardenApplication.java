package io.partwarden;

import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PartwardenApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(PartwardenApplication.class, args);
        if (Arrays.asList(args).contains("--once")) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
