#!/usr/bin/env bash
# Archive throughput and write stall of on-retire: archive. One partition of workflow_events
# (two months back) is filled with ROWS events (default 1,500,000, about 400 MB of table), then
#  1. psql -c "\copy ... to stdout" | gzip: the baseline, twice (the first also warms the cache);
#  2. partwarden --once with on-retire: archive retires that partition (detach concurrently,
#     COPY through the driver into gzip, read back, drop) while 4 pgbench clients insert.
# Prints MB/s of table data (pg_table_size of the partition / seconds) for both, the archive
# sizes, and the insert latencies during the retirement next to those without it.
# Needs: a built target/partwarden.jar, PostgreSQL on 127.0.0.1:5432 (user postgres, trust), pgbench.
# Usage: ROWS=1500000 bench/archive-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
host=127.0.0.1
rows=${ROWS:-1500000}
db=pw_bench_archive
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql() { psql -h $host -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAtc "$1"; }
jdbc="--spring.datasource.url=jdbc:postgresql://$host:5432/$db --spring.datasource.username=postgres"
# JVM flags as the Dockerfile sets them (JAVA_TOOL_OPTIONS), less what only a container needs
jvm=${JVM_FLAGS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k}
partwarden="nice -n 10 java $jvm -jar target/partwarden.jar --once $jdbc"

psql -h $host -U postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
sql "CREATE TABLE workflow_runs (id uuid PRIMARY KEY); INSERT INTO workflow_runs VALUES ('c0000000-0000-0000-0000-000000000011')"
$partwarden > "$work/migrate.log" 2>&1
partition=$(sql "SELECT partition_name FROM partwarden.partitions('workflow_events') ORDER BY lower_bound LIMIT 1")
lower=$(sql "SELECT lower_bound FROM partwarden.partitions('workflow_events') ORDER BY lower_bound LIMIT 1")
sql "INSERT INTO workflow_events (run_id, ts, type, payload)
     SELECT 'c0000000-0000-0000-0000-000000000011', '$lower'::timestamptz + g * interval '1 second',
            (ARRAY['step.started', 'step.completed', 'run.failed'])[1 + g % 3],
            jsonb_build_object('step', g % 97, 'attempt', g % 5, 'output', md5(g::text) || md5((g * 7)::text),
                               'note', repeat('event payload ', 1 + g % 8))
       FROM generate_series(1, $rows) g"
sql "VACUUM ANALYZE workflow_events"
bytes=$(sql "SELECT pg_table_size('$partition')")
printf "partition %s: %d rows, %.1f MB of table (pg_table_size)\n" "$partition" "$rows" "$(echo "$bytes / 1000000" | bc -l)"

mbps() { echo "scale=1; $bytes / 1000000 / $1" | bc -l; }
for run in 1 2; do
  start=$(date +%s.%N)
  psql -h $host -U postgres -d "$db" -qc "\\copy public.$partition to stdout" | gzip > "$work/psql.copy.gz"
  took=$(echo "$(date +%s.%N) - $start" | bc -l)
  printf "psql \\\\copy | gzip   run %d: %6.2f s  %6s MB/s  (%d bytes)\n" $run "$took" "$(mbps "$took")" "$(stat -c %s "$work/psql.copy.gz")"
done

archive() { # $1 directory, $2 log
  mkdir -p "$1"
  $partwarden --partwarden.tables[0].name=workflow_events --partwarden.tables[0].retention=1m \
    --partwarden.tables[0].on-retire=archive --partwarden.archive.directory="$1" > "$2" 2>&1 \
    || { echo "partwarden failed:"; tail -20 "$2"; }
  grep -E "archived to|verified in" "$2" | sed -e "s/.*ArchiveFileDisposal *: *//" -e "s|$work|<tmp>|g"
}
echo "partwarden on-retire: archive, alone:"
archive "$work/archive1" "$work/archive1.log"
manifest=$(ls "$work"/archive1/public.workflow_events/*.manifest.json)
start=$(date +%s.%N)
java $jvm -jar target/partwarden.jar $jdbc --restore="$manifest" > "$work/restore.log" 2>&1 \
  || { echo "restore failed:"; tail -20 "$work/restore.log"; }
printf "partwarden --restore (verify, create, COPY in, attach; JVM start included): %.2f s, %s\n" \
  "$(echo "$(date +%s.%N) - $start" | bc -l)" "$(grep -o 'Restored [0-9]* rows' "$work/restore.log")"
sql "VACUUM ANALYZE workflow_events"

cat > "$work/insert.sql" <<'SQL'
INSERT INTO workflow_events (run_id, type, payload) VALUES ('c0000000-0000-0000-0000-000000000011', 'bench', '{}');
SQL
# 4 clients insert for $1 seconds while "$2..." runs; prints insert latencies (p99, max) and failures
under_inserts() {
  local seconds=$1 label=$2; shift 2
  rm -f "$work"/pgbench_log.*
  (cd "$work" && pgbench -h $host -U postgres -n -c 4 -j 4 -T "$seconds" -M prepared -l -f insert.sql "$db" > "$work/pgbench.out" 2>&1) &
  local bench=$!
  sleep 2
  # every 20 ms: how many inserts wait for a lock (a stall caused by DDL, not by CPU)
  printf "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO workflow_events%%'\n\\\\watch 0.02\n" \
    | psql -h $host -U postgres -d "$db" -qAt > "$work/lockwaits.out" 2>/dev/null &
  local watcher=$!
  "$@"
  wait $bench || true
  kill $watcher 2>/dev/null; wait $watcher 2>/dev/null || true
  local failed waits
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
  waits=$(awk '/^[0-9]+$/ { n++; if ($1 > 0) w++ } END { printf "%d of %d", w, n }' "$work/lockwaits.out")
  cat "$work"/pgbench_log.* | awk '{ print $3 / 1000 }' | sort -n | LABEL="$label" FAILED="${failed:-?}" WAITS="$waits" awk \
    '{ v[NR] = $1 } END { printf "inserts %-34s p99 %5.1f ms  max %6.1f ms  %6d inserts, %s failed; samples with an insert waiting for a lock: %s\n", ENVIRON["LABEL"], v[int(NR * 0.99)], v[NR], NR, ENVIRON["FAILED"], ENVIRON["WAITS"] }'
}
nothing() { :; }
baseline() { psql -h $host -U postgres -d "$db" -qc "\\copy public.$partition to stdout" | gzip > "$work/psql.copy.gz"; }
under_inserts 12 "with nothing else running:" nothing
under_inserts 14 "during psql \\copy | gzip:" baseline
echo "partwarden on-retire: archive of the restored partition, under 4 inserting clients:"
under_inserts 16 "during the archiving retirement:" archive "$work/archive2" "$work/archive2.log"
echo "partition left: $(sql "SELECT count(*) FROM pg_class WHERE relname = '$partition'") (0 = dropped)"
psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
