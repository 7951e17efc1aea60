package io.partwarden.maintenance;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class MaintenanceConfiguration {

    /** The one source of "now", so tests can pin it. */
    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }
}
