package io.partwarden.session;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Gives every connection of the service's pool the {@link SafeSession} settings as it is opened
 * (once per connection, not per use), after Spring Boot has bound {@code spring.datasource.hikari.*}.
 * An init SQL the operator configured runs first, so these
 * settings win over it too.
 */
@Component
public class SafeSessionDataSources implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool) {
            String configured = pool.getConnectionInitSql();
            pool.setConnectionInitSql(configured == null || configured.isBlank()
                    ? SafeSession.INIT_SQL : configured + ";\n" + SafeSession.INIT_SQL);
        }
        return bean;
    }
}
