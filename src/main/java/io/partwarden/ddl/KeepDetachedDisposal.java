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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** {@code on-retire: detach}: the detached table is kept, renamed {@code …_detached}, for the operator. */
@Component
public class KeepDetachedDisposal implements Disposal {

    static final String KEEP_DDL = "SELECT partwarden.keep_ddl(?, ?)";
    static final String KEPT_NAME = "SELECT partwarden.kept_name(?)";

    private final JdbcTemplate jdbc;
    private final RetirementLog retirements;

    public KeepDetachedDisposal(JdbcTemplate jdbc, RetirementLog retirements) {
        this.jdbc = jdbc;
        this.retirements = retirements;
    }

    @Override
    public OnRetire mode() {
        return OnRetire.DETACH;
    }

    @Override
    public List<Operation> dispose(TableName table, Partition partition, PartwardenProperties.Table config) {
        String keptAs = jdbc.queryForObject(KEPT_NAME, String.class, partition.name());
        return List.of(new Statement(jdbc.queryForObject(KEEP_DDL, String.class, partition.schema(), partition.name())),
                new Check("recorded in partwarden.retirement: kept as " + keptAs,
                        () -> retirements.end(partition, RetirementState.KEPT, keptAs)));
    }
}
