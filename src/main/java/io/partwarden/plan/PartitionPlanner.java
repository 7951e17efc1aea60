package io.partwarden.plan;

import io.partwarden.catalog.Partition;
import io.partwarden.catalog.PartitionBounds;
import io.partwarden.catalog.TableSnapshot;
import io.partwarden.config.PartwardenProperties;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what a table needs: a pure function of its configuration, the partitions it has and
 * the time, so it is tested without a database. Months are calendar months in UTC and partitions
 * are named {@code {table}_yYYYYmMM}, as the spec's SQL API makes them.
 */
public final class PartitionPlanner {

    private PartitionPlanner() {
    }

    public static List<PartitionAction> plan(PartwardenProperties.Table config, TableSnapshot snapshot, Instant now) {
        List<PartitionAction> actions = new ArrayList<>();
        YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        for (int ahead = 0; ahead <= config.premake(); ahead++) {
            YearMonth month = current.plusMonths(ahead);
            PartitionBounds bounds = monthBounds(month);
            if (snapshot.ranged().stream().map(Partition::bounds).noneMatch(bounds::overlaps)) {
                actions.add(new CreatePartition(snapshot.table(), monthName(snapshot.table().name(), month), bounds));
            }
        }
        return actions;
    }

    static PartitionBounds monthBounds(YearMonth month) {
        return new PartitionBounds(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    static String monthName(String table, YearMonth month) {
        return String.format("%s_y%04dm%02d", table, month.getYear(), month.getMonthValue());
    }
}
