package io.partwarden.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * A test class that needs a Citus cluster: run when {@code PARTWARDEN_TEST_CITUS_URL} names its
 * coordinator, else reported as skipped, saying why (Citus is not packaged for the CI machine).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfEnvironmentVariable(named = CitusCluster.VARIABLE, matches = ".+",
        disabledReason = CitusCluster.VARIABLE + " names no Citus coordinator (README: Scale-out with Citus)")
public @interface OnCitusCluster {
}
