package io.partwarden.step;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Operations in one transaction under {@code SET LOCAL lock_timeout}, retried with a growing pause
 * when the timeout strikes, up to {@code attempts}: a long transaction on the table delays the
 * step instead of making the application's statements queue behind it.
 *
 * @param afterRollback told of a failure once the transaction rolled back (to record a state the
 *     rollback cannot), then the failure goes on
 */
public record Transaction(String what, Duration lockTimeout, int attempts, List<Operation> operations,
                          Consumer<RuntimeException> afterRollback) implements Step {

    public Transaction(String what, Duration lockTimeout, int attempts, List<Operation> operations) {
        this(what, lockTimeout, attempts, operations, failure -> { });
    }

    public Transaction {
        operations = List.copyOf(operations);
    }

    @Override
    public List<String> printed() {
        List<String> lines = new ArrayList<>();
        lines.add("BEGIN");
        lines.add("SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
        operations.forEach(operation -> lines.addAll(operation.printed()));
        lines.add("COMMIT");
        return lines;
    }
}
