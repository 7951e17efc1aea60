#!/usr/bin/env bash
# How long MeshHook's writers wait while Partwarden converts workflow_events, and whether any
# insert fails. 4 pgbench clients insert events for 12 s; at t=3 s `java -jar partwarden.jar
# --once` converts the table in place (10,000 fixture events + ROWS more; the default, auto, would
# convert that many online). Compares against the same
# load with no conversion. Needs: a built target/partwarden.jar, PostgreSQL on 127.0.0.1:5432.
# Usage: bench/conversion-wait.sh [ROWS]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-200000}
host=127.0.0.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/insert.sql" <<'SQL'
INSERT INTO workflow_events (run_id, type, payload) VALUES ('c0000000-0000-0000-0000-000000000011', 'bench', '{}');
SQL

prepare() {
  psql -h $host -U postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
  psql -h $host -U postgres -d "$1" -v ON_ERROR_STOP=1 -q \
    -f src/main/resources/demo/meshhook.sql -f src/main/resources/demo/meshhook-events.sql \
    -c "INSERT INTO workflow_events (run_id, ts, type, payload)
        SELECT 'c0000000-0000-0000-0000-000000000012', now() - make_interval(secs => g * 60), 'bulk', '{}'
          FROM generate_series(1, $rows) g; ANALYZE workflow_events;"
}

# $1 database, $2 "convert" or "none"; prints: max latency ms, failed inserts, inserts
run() {
  local db=$1 mode=$2
  rm -f "$work"/pgbench_log.*
  (cd "$work" && pgbench -h $host -U postgres -n -c 4 -j 4 -T 12 -M prepared -l -f insert.sql "$db" \
      > "$work/pgbench.out" 2>&1) &
  local bench=$!
  sleep 3
  if [ "$mode" = convert ]; then
    java -jar target/partwarden.jar --once --spring.datasource.url="jdbc:postgresql://$host:5432/$db" \
      --spring.datasource.username=postgres --partwarden.migration.conversion=in-place > "$work/partwarden.log" 2>&1 \
      || { echo "partwarden failed:"; tail -20 "$work/partwarden.log"; }
  fi
  wait $bench || true
  local failed
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.out")
  local inserted found
  inserted=$(cat "$work"/pgbench_log.* | wc -l)
  found=$(psql -h $host -U postgres -d "$db" -Atc "SELECT count(*) FROM workflow_events WHERE type = 'bench'")
  cat "$work"/pgbench_log.* | awk -v failed="${failed:-?}" -v found="$found" \
    '{ if ($3 > max) max = $3; n++ } END { printf "%.1f ms max insert latency, %s failed, %d inserts acknowledged, %d found after\n", max / 1000, failed, n, found }'
  echo "  table is now: $(psql -h $host -U postgres -d "$db" -Atc "SELECT CASE relkind WHEN 'p' THEN 'partitioned' ELSE 'plain' END FROM pg_class WHERE oid = 'workflow_events'::regclass")"
}

echo "rows before conversion: $((rows + 10000)), 4 insert clients, 12 s, conversion at t=3 s"
prepare pw_bench_none
printf 'no conversion (table stays plain):   '; run pw_bench_none none
prepare pw_bench_convert
printf 'partwarden --once converts it:       '; run pw_bench_convert convert
psql -h $host -U postgres -qc "DROP DATABASE pw_bench_none WITH (FORCE)" -c "DROP DATABASE pw_bench_convert WITH (FORCE)"
