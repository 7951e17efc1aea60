package io.partwarden.ddl;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.RetirementState;
import io.partwarden.catalog.TableName;
import io.partwarden.config.OnRetire;
import io.partwarden.config.PartwardenProperties;
import io.partwarden.step.Check;
import io.partwarden.step.Operation;
import io.partwarden.step.Statement;
import java.util.List;
import org.springframework.stereotype.Component;

/** {@code on-retire: drop}: the detached table is dropped. */
@Component
public class DropDisposal implements Disposal {

    private final RetiredTableDdl ddl;
    private final RetirementLog retirements;

    public DropDisposal(RetiredTableDdl ddl, RetirementLog retirements) {
        this.ddl = ddl;
        this.retirements = retirements;
    }

    @Override
    public OnRetire mode() {
        return OnRetire.DROP;
    }

    @Override
    public List<Operation> dispose(TableName table, Partition partition, PartwardenProperties.Table config) {
        return List.of(new Statement(ddl.drop(partition)),
                new Check("recorded in partwarden.retirement: dropped",
                        () -> retirements.end(partition, RetirementState.DROPPED, null)));
    }
}
