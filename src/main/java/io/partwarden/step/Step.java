package io.partwarden.step;

import java.util.List;

/**
 * One part of applying a planned action, built once from the catalog: {@link StepRunner}
 * executes the list, or the dry run prints it, so the preview is what runs.
 */
public sealed interface Step permits Transaction, OutsideTransaction, Work {

    /** What the dry run prints: statements without their final semicolon, and {@code --} comments. */
    List<String> printed();
}
