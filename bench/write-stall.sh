#!/usr/bin/env bash
# Write stall under partition maintenance. 4 pgbench clients insert into workflow_events for
# 20 s; from t=1 s a reader holds a transaction on it for 15 s; at t=3 s one maintenance step
# starts. Each scenario runs on a fresh database made by Partwarden's migration (workflow_events
# with partitions from 2 months back to 3 ahead). Prints max insert latency and failed inserts.
# Needs: a built target/partwarden.jar, PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
# Usage: bench/write-stall.sh [scenario ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/stall-report.sh
host=127.0.0.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The service as a sidecar starts it (see the Dockerfile): one compiler tier, serial GC, low priority.
partwarden="nice -n 10 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar target/partwarden.jar --once"
jdbc() { echo "--spring.datasource.url=jdbc:postgresql://$host:5432/$1 --spring.datasource.username=postgres"; }
sql() { psql -h $host -U postgres -d "$1" -v ON_ERROR_STOP=1 -qAtc "$2"; }

cat > "$work/insert.sql" <<'SQL'
INSERT INTO workflow_events (run_id, type, payload) VALUES ('c0000000-0000-0000-0000-000000000011', 'bench', '{}');
SQL

# the month starting N months from now, as the spec names it and as the SQL API bounds it
month() { sql "$1" "SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $2), 'YYYY\"m\"MM')"; }
month_start() { sql "$1" "SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $2))::date"; }

maintenance() { # $1 scenario, $2 database
  case $1 in
    none) ;;
    partwarden-noop) $partwarden $(jdbc "$2") --partwarden.tables[0].name=workflow_events > "$work/$1.log" 2>&1 ;;
    partwarden-create) $partwarden $(jdbc "$2") --partwarden.tables[0].name=workflow_events \
                         --partwarden.tables[0].premake=10 > "$work/$1.log" 2>&1 ;;
    partwarden-retire) $partwarden $(jdbc "$2") --partwarden.tables[0].name=workflow_events \
                         --partwarden.tables[0].retention=1m --partwarden.tables[0].detach-timeout=60s > "$work/$1.log" 2>&1 ;;
    plain-create)
      for m in 4 5 6 7 8 9 10; do
        sql "$2" "CREATE TABLE workflow_events_y$(month "$2" $m) PARTITION OF workflow_events
                  FOR VALUES FROM ('$(month_start "$2" $m) 00:00+00') TO ('$(month_start "$2" $((m + 1))) 00:00+00')"
      done ;;
    plain-drop) sql "$2" "DROP TABLE workflow_events_y$(month "$2" -2)" ;;
  esac
}

run() { # $1 scenario
  local db=pw_stall_${1//-/_}
  psql -h $host -U postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  sql "$db" "CREATE TABLE workflow_runs (id uuid PRIMARY KEY); INSERT INTO workflow_runs VALUES ('c0000000-0000-0000-0000-000000000011')"
  java -jar target/partwarden.jar --once $(jdbc "$db") > "$work/migrate.log" 2>&1
  local before
  before=$(sql "$db" "SELECT count(*) FROM partwarden.partitions('workflow_events')")
  rm -f "$work"/pgbench_log.*
  (cd "$work" && pgbench -h $host -U postgres -n -c 4 -j 4 -T 20 -M prepared -l -f insert.sql "$db" > "$work/pgbench.out" 2>&1) &
  local bench=$!
  sleep 1
  psql -h $host -U postgres -d "$db" -qc "BEGIN" -c "SELECT count(*) FROM workflow_events" -c "SELECT pg_sleep(15)" -c "COMMIT" >/dev/null &
  local reader=$!
  sleep 2
  local started=$SECONDS
  maintenance "$1" "$db" || echo "  ($1 failed: see its log)"
  local took=$((SECONDS - started))
  wait $reader; wait $bench || true
  local after
  after=$(sql "$db" "SELECT count(*) FROM partwarden.partitions('workflow_events')")
  stall_report "$1" "$before" "$after" "$took" "$work"
  psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(none partwarden-noop partwarden-create partwarden-retire plain-create plain-drop)
for s in "${scenarios[@]}"; do run "$s"; done
