package io.partwarden.ddl;

import io.partwarden.config.PartwardenProperties;
import io.partwarden.plan.CloseRetirement;
import io.partwarden.plan.CreateDefaultPartition;
import io.partwarden.plan.CreatePartition;
import io.partwarden.plan.FinishRetirement;
import io.partwarden.plan.PartitionAction;
import io.partwarden.plan.RetirePartition;
import io.partwarden.plan.SyncPartitionAccess;
import java.util.List;
import org.springframework.stereotype.Component;

/** Applies a planned action, or says exactly which statements applying it would run. */
@Component
public class PlanExecutor {

    private final PartitionDdl creation;
    private final PartitionRetirement retirement;
    private final PartitionAccess access;

    public PlanExecutor(PartitionDdl creation, PartitionRetirement retirement, PartitionAccess access) {
        this.creation = creation;
        this.retirement = retirement;
        this.access = access;
    }

    public void apply(PartitionAction action, PartwardenProperties.Table config) {
        if (action instanceof CreatePartition create) {
            creation.create(create, config);
        } else if (action instanceof CreateDefaultPartition createDefault) {
            creation.createDefault(createDefault, config);
        } else if (action instanceof RetirePartition retire) {
            retirement.retire(retire, config);
        } else if (action instanceof FinishRetirement finish) {
            retirement.finish(finish, config);
        } else if (action instanceof CloseRetirement close) {
            retirement.close(close);
        } else if (action instanceof SyncPartitionAccess sync) {
            access.sync(sync, config);
        }
    }

    public List<String> statements(PartitionAction action, PartwardenProperties.Table config) {
        if (action instanceof CreatePartition create) {
            return creation.statements(create, config);
        } else if (action instanceof CreateDefaultPartition createDefault) {
            return creation.statements(createDefault, config);
        } else if (action instanceof RetirePartition retire) {
            return retirement.statements(retire, config);
        } else if (action instanceof CloseRetirement close) {
            return retirement.statements(close);
        } else if (action instanceof SyncPartitionAccess sync) {
            return access.statements(sync, config);
        }
        return retirement.statements((FinishRetirement) action, config);
    }
}
