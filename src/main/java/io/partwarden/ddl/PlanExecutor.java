package io.partwarden.ddl;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.CloseRetirement;
import io.partwarden.plan.CreateDefaultPartition;
import io.partwarden.plan.CreatePartition;
import io.partwarden.plan.FinishRetirement;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.RetirePartition;
import io.partwarden.plan.SyncPartitionAccess;
import io.partwarden.step.Step;
import io.partwarden.step.StepRunner;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Turns a planned action into its steps, which one runner executes or the dry run prints: what
 * {@code --dry-run} shows is the list {@code --once} runs.
 */
@Component
public class PlanExecutor {

    private final PartitionDdl creation;
    private final PartitionRetirement retirement;
    private final PartitionAccess access;
    private final StepRunner runner;

    public PlanExecutor(PartitionDdl creation, PartitionRetirement retirement, PartitionAccess access, StepRunner runner) {
        this.creation = creation;
        this.retirement = retirement;
        this.access = access;
        this.runner = runner;
    }

    public void apply(PartitionAction action, PartwardenProperties.Table config) {
        runner.run(steps(action, config));
    }

    public List<String> statements(PartitionAction action, PartwardenProperties.Table config) {
        return StepRunner.print(steps(action, config));
    }

    public List<Step> steps(PartitionAction action, PartwardenProperties.Table config) {
        if (action instanceof CreatePartition create) {
            return creation.steps(create, config);
        } else if (action instanceof CreateDefaultPartition createDefault) {
            return creation.steps(createDefault, config);
        } else if (action instanceof RetirePartition retire) {
            return retirement.steps(retire, config);
        } else if (action instanceof FinishRetirement finish) {
            return retirement.steps(finish, config);
        } else if (action instanceof CloseRetirement close) {
            return retirement.steps(close);
        } else if (action instanceof SyncPartitionAccess sync) {
            return access.steps(sync, config);
        }
        throw new IllegalArgumentException("no steps for " + action.getClass().getSimpleName());
    }
}
