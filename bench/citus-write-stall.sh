#!/usr/bin/env bash
# Write stall under partition maintenance on a Citus cluster: bench/write-stall.sh's scenarios
# with workflow_events distributed by run_id (colocated with workflow_runs, primary key
# (run_id, id, ts), as the README's "Scale-out with Citus" says). 4 pgbench clients insert through
# the coordinator for HOLD + 10 s, spread over 16 runs (so over every worker); from t=1 s a reader
# holds a transaction that has counted the whole table (its locks on the coordinator's parent and
# partitions and on every shard) for HOLD s (default 40: longer than the JVM's start on a loaded
# machine, so that Partwarden's DDL too meets the reader); at t=3 s one maintenance step starts. Each scenario
# gets a fresh database on every node, Partwarden's migration (partitions from 2 months back to 3
# ahead), then the distribution. Prints max insert latency, failed inserts, partitions before ->
# after and how long the step took.
#   partwarden-noop    --once with nothing to do: the JVM starting on the same cores, a pass reading the catalog
#   partwarden-create  --once with premake=10: 7 partitions (LIKE, ATTACH under lock_timeout)
#   partwarden-retire  --once with retention=1m: 1 partition (plain DETACH under lock_timeout,
#                      retried: Citus refuses DETACH CONCURRENTLY), then DROP
#   citus-create       SELECT create_time_partitions(...) for the same 7 months
#   citus-drop         CALL drop_old_time_partitions(...) for the same 1 month
# Needs: a built target/partwarden.jar; a Citus coordinator at CITUS (host:port, default
# 127.0.0.1:56101) with its workers added in its postgres database, user postgres, trust; pgbench.
# Usage: CITUS=127.0.0.1:56101 HOLD=40 bench/citus-write-stall.sh [scenario ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/stall-report.sh
coordinator=${CITUS:-127.0.0.1:56101}
chost=${coordinator%:*}
cport=${coordinator#*:}
hold=${HOLD:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
partwarden="nice -n 10 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar target/partwarden.jar --once"
jdbc() { echo "--spring.datasource.url=jdbc:postgresql://$chost:$cport/$1 --spring.datasource.username=postgres"; }
on() { local node=$1 db=$2; shift 2; psql -h "${node%:*}" -p "${node#*:}" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt "$@"; }
sql() { on "$coordinator" "$1" -c "$2"; }
mapfile -t workers < <(on "$coordinator" postgres -c "SELECT node_name || ':' || node_port FROM citus_get_active_worker_nodes() ORDER BY 1")

cat > "$work/insert.sql" <<'SQL'
\set r random(1, 16)
INSERT INTO workflow_events (run_id, type, payload)
VALUES (('c0000000-0000-0000-0000-' || lpad(:r::text, 12, '0'))::uuid, 'bench', '{}');
SQL

maintenance() { # $1 scenario, $2 database
  case $1 in
    none) ;;
    partwarden-noop) $partwarden $(jdbc "$2") --partwarden.tables[0].name=workflow_events > "$work/$1.log" 2>&1 ;;
    partwarden-create) $partwarden $(jdbc "$2") --partwarden.tables[0].name=workflow_events \
                         --partwarden.tables[0].premake=10 > "$work/$1.log" 2>&1 ;;
    partwarden-retire) $partwarden $(jdbc "$2") --partwarden.tables[0].name=workflow_events \
                         --partwarden.tables[0].retention=1m > "$work/$1.log" 2>&1 ;;
    # the months 4..10 ahead: Citus names them its own way (workflow_events_pYYYY_MM)
    citus-create) sql "$2" "SELECT create_time_partitions('workflow_events', '1 month',
                              date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '11 months')" ;;
    # partitions whose upper bound is older than one month back: the month 2 back, as retention=1m
    citus-drop) sql "$2" "CALL drop_old_time_partitions('workflow_events', now() - interval '1 month')" ;;
  esac
}

fresh() { # $1 database: on every node, Citus in it, the workers added, the schema distributed
  local node
  for node in "$coordinator" "${workers[@]}"; do
    on "$node" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    on "$node" "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION citus"
  done
  sql "$1" "SELECT citus_set_coordinator_host('$chost', $cport)" >/dev/null
  for node in "${workers[@]}"; do sql "$1" "SELECT citus_add_node('${node%:*}', ${node#*:})" >/dev/null; done
  sql "$1" "CREATE TABLE workflow_runs (id uuid PRIMARY KEY);
            SELECT create_distributed_table('workflow_runs', 'id');
            INSERT INTO workflow_runs SELECT ('c0000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid
              FROM generate_series(1, 16) g" >/dev/null
  $partwarden $(jdbc "$1") > "$work/migrate.log" 2>&1
  sql "$1" "ALTER TABLE workflow_events DROP CONSTRAINT workflow_events_pkey, ADD PRIMARY KEY (run_id, id, ts);
            SELECT create_distributed_table('workflow_events', 'run_id', colocate_with => 'workflow_runs')" >/dev/null
}

drop() { # $1 database, on every node
  local node
  for node in "$coordinator" "${workers[@]}"; do
    on "$node" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
  done
}

run() { # $1 scenario
  local db=pw_cstall_${1//-/_}
  fresh "$db"
  local before
  before=$(sql "$db" "SELECT count(*) FROM pg_inherits WHERE inhparent = 'workflow_events'::regclass")
  rm -f "$work"/pgbench_log.*
  (cd "$work" && pgbench -h "$chost" -p "$cport" -U postgres -n -c 4 -j 4 -T $((hold + 10)) -M prepared -l -f insert.sql "$db" \
     > "$work/pgbench.out" 2>&1) &
  local bench=$!
  sleep 1
  on "$coordinator" "$db" -c "BEGIN" -c "SELECT count(*) FROM workflow_events" -c "SELECT pg_sleep($hold)" -c "COMMIT" >/dev/null &
  local reader=$!
  reader_from=$(date +%s)
  sleep 2
  local started=$SECONDS
  maintenance "$1" "$db" || echo "  ($1 failed: see its log)"
  local took=$((SECONDS - started))
  wait $reader; wait $bench || true
  local after
  after=$(sql "$db" "SELECT count(*) FROM pg_inherits WHERE inhparent = 'workflow_events'::regclass")
  stall_report "$1" "$before" "$after" "$took" "$work"
  if [ -f "$work/$1.log" ]; then
    # when the pass ran and what it reported, against the reader's window
    grep -E "Maintenance pass|retire |attempt [0-9]|failed" "$work/$1.log" | cut -c12-23,90- | sed 's/^/    /' | head -8 || true
    echo "    reader held from $(date -u -d "@$reader_from" +%T) to $(date -u -d "@$((reader_from + hold))" +%T)"
  fi
  drop "$db"
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(none partwarden-noop partwarden-create partwarden-retire citus-create citus-drop)
for s in "${scenarios[@]}"; do run "$s"; done
