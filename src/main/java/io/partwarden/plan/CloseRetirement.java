package io.partwarden.plan;

import io.partwarden.catalog.TableName;
import io.partwarden.catalog.VanishedRetirement;

/**
 * Close a retirement whose table is gone: recorded as {@code gone}, it is no longer under way
 * (no alert, nothing for {@code --verify} to report), and no table is touched, not even one that
 * has since been given the same name.
 */
public record CloseRetirement(TableName table, VanishedRetirement retirement) implements PartitionAction {

    @Override
    public String describe() {
        return "close retirement " + retirement.retirementId() + " of " + retirement.schema() + "." + retirement.name()
                + " (" + retirement.state().sql() + "): the table it began on no longer exists; no table is touched";
    }

    @Override
    public String kind() {
        return "closed";
    }
}
