package io.partwarden.maintenance;

import io.partwarden.cli.RunMode;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when the process runs as the daemon, not as a command that exits. */
public class DaemonModeCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return RunMode.of(context.getEnvironment()) == RunMode.DAEMON;
    }
}
