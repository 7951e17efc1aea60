package io.partwarden.cli;

import java.util.Map;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when the process runs in the mode {@link ConditionalOnRunMode} names. */
class RunModeCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnRunMode.class.getName());
        return attributes != null && RunMode.of(context.getEnvironment()) == attributes.get("value");
    }
}
