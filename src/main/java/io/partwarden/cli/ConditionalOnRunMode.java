package io.partwarden.cli;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/** A bean of one mode only, as {@link RunMode#of(org.springframework.core.env.Environment)} decides it. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(RunModeCondition.class)
public @interface ConditionalOnRunMode {

    RunMode value();
}
