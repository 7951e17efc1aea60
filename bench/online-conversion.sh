#!/usr/bin/env bash
# MeshHook at work during the conversion of workflow_events: no conversion, in place, online.
# A MeshHook-like database of ROWS events over the last year (the demo fixture's 10,000 plus
# events on 1,000 runs of their own) is built once in a throwaway database and cloned for each
# case. In each case, throughout:
#  - 4 pgbench inserters (-M prepared, per-transaction latency log): 2 insert an event,
#    2 insert a run and its first event in one transaction;
#  - a psql session deleting a random run every 0.5 s (its events go by the cascade; ids logged);
#  - a psql session updating random events of the last 180 days, one in ten moved 40 days back
#    (final id, ts, payload logged).
# The load runs 3 s, then `java -jar target/partwarden.jar --once` converts the table (in-place,
# online) or, for "none", the load alone runs as long as the longer conversion took; 2 s more,
# then the clients stop. pgbench runs in 2 s rounds while the load is on, so the load lasts as
# long as the conversion does, whatever that is (a round's last transactions finish and count).
# Reported per case: longest and p99 insert latency, failed transactions (and aborted clients),
# inserts acknowledged and found after, runs deleted and their events left (0), updates logged
# and not found with their last values (0), ids twice (0), whether ids continue, the conversion's
# time, WAL written while it ran (pg_current_wal_lsn difference: the server's, so other databases'
# writes count too; compare with "none"), the table after.
# Needs: a built target/partwarden.jar (mvn -DskipTests package), PostgreSQL on 127.0.0.1:5432
# (user postgres, trust), psql and pgbench (Debian: postgresql-client; pgbench comes with the
# server package postgresql-NN, elsewhere with postgresql-contrib), java 17, awk, sort, bc.
# Usage: bench/online-conversion.sh [ROWS]   (default 1000000)
#   CASES="in-place online none" (the default) chooses and orders the cases; "none" runs as long as
#   the longest conversion before it took, or NONE_SECONDS (default 20) if none ran before it;
#   KEEP_LOGS=1 keeps the clients' and the service's logs (the path is printed at the end);
#   BASE=name builds the database under that name and keeps it, or reuses it if it exists (for
#   rerunning cases on the same data; drop it yourself when done).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
cases=${CASES:-in-place online none}
host=127.0.0.1
for tool in psql pgbench java awk sort bc; do
  command -v $tool > /dev/null || { echo "needs $tool on the PATH (see the comment at the top)" >&2; exit 1; }
done
jar=target/partwarden.jar
[ -f $jar ] || { echo "needs $jar: mvn -B -DskipTests package" >&2; exit 1; }
# The service as a sidecar starts it (see the Dockerfile): one compiler tier, serial GC, low priority.
partwarden="nice -n 10 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar --once"
base=${BASE:-pw_bench_online_$$_${RANDOM}}
work=$(mktemp -d)
databases=()
background=()

cleanup() {
  touch "$work"/*/stop 2> /dev/null || true
  local pid db
  for pid in "${background[@]}"; do kill "$pid" 2> /dev/null || true; done
  for db in "${databases[@]}"; do
    psql -h $host -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" > /dev/null 2>&1 || true
  done
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
sql() { psql -h $host -U postgres -d "$1" -v ON_ERROR_STOP=1 -qAtc "$2"; }
jdbc() { echo "--spring.datasource.url=jdbc:postgresql://$host:5432/$1 --spring.datasource.username=postgres"; }
now() { date +%s.%N; }

# --- the database, built once --------------------------------------------------------------
bulk=$((rows > 10000 ? rows - 10000 : 0))
if [ -n "${BASE:-}" ] && [ "$(sql postgres "SELECT count(*) FROM pg_database WHERE datname = '$base'")" = 1 ]; then
  echo "reusing $base (BASE): $(sql "$base" "SELECT count(*) FROM workflow_events") events"
else
[ -n "${BASE:-}" ] || databases+=("$base")
echo "building $base: $((bulk + 10000)) events over a year, 1,000 runs for the deleter and the updater"
psql -h $host -U postgres -qc "CREATE DATABASE $base"
psql -h $host -U postgres -d "$base" -v ON_ERROR_STOP=1 -q \
  -f src/main/resources/demo/meshhook.sql -f src/main/resources/demo/meshhook-events.sql
# half the runs (failed) are the deleter's; the updater changes events of the others (succeeded)
# of the last 180 days, so that a few moves of 40 days back stay in the months the conversion makes
sql "$base" "
  INSERT INTO workflow_runs (project_id, workflow_id, status)
  SELECT 'a0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000001',
         CASE WHEN n % 2 = 0 THEN 'failed' ELSE 'succeeded' END
    FROM generate_series(1, 1000) n;
  INSERT INTO workflow_events (run_id, ts, type, payload)
  SELECT r.id, now() - make_interval(secs => g * (365.0 * 86400 / greatest($bulk, 1))),
         (ARRAY['node.started', 'node.completed', 'node.failed'])[1 + g % 3], jsonb_build_object('seq', g, 'node', g % 17)
    FROM generate_series(1, $bulk) g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM workflow_runs
           WHERE status IN ('failed', 'succeeded')) r ON r.n = g % 1000"
sql "$base" "VACUUM ANALYZE"
fi
sql "$base" "SELECT e.id FROM workflow_events e JOIN workflow_runs r ON r.id = e.run_id
              WHERE r.status = 'succeeded' AND e.ts > now() - interval '180 days'" > "$work/updatable.txt"
printf "  %s events, %s of table, %s updatable\n" "$(sql "$base" "SELECT count(*) FROM workflow_events")" \
  "$(sql "$base" "SELECT pg_size_pretty(pg_total_relation_size('workflow_events'))")" "$(wc -l < "$work/updatable.txt")"

cat > "$work/events.sql" <<'SQL'
INSERT INTO workflow_events (run_id, type, payload) VALUES ('c0000000-0000-0000-0000-000000000011', 'bench', '{}');
SQL
cat > "$work/runs.sql" <<'SQL'
BEGIN;
INSERT INTO workflow_runs (project_id, workflow_id, status)
VALUES ('a0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000001', 'running') RETURNING id AS run \gset
INSERT INTO workflow_events (run_id, type, payload) VALUES (:run, 'bench.run', '{}');
COMMIT;
SQL

# --- the load -----------------------------------------------------------------------------
inserters() { # $1 db, $2 script (events|runs), $3 case directory: 2 clients in 2 s rounds until stopped
  local round=0
  while [ ! -e "$3/stop" ]; do
    round=$((round + 1))
    (cd "$3" && pgbench -h $host -U postgres -n -c 2 -j 2 -T 2 -M prepared -l --log-prefix="latency-$2.$round" \
       -f "$work/$2.sql" "$1") >> "$3/pgbench-$2.out" 2>&1 || true
  done
}
deleter() { # $1 db, $2 case directory
  while [ ! -e "$2/stop" ]; do
    echo "DELETE FROM workflow_runs WHERE id = (SELECT id FROM workflow_runs WHERE status = 'failed' ORDER BY random() LIMIT 1) RETURNING id;"
    sleep 0.5
  done | psql -h $host -U postgres -d "$1" -qAt > "$2/deleted.txt" 2> "$2/deleter.err"
}
updater() { # $1 db, $2 case directory
  local ids n=0 move
  mapfile -t ids < "$work/updatable.txt"
  while [ ! -e "$2/stop" ]; do
    n=$((n + 1))
    if ((RANDOM % 10 == 0)); then move="ts - interval '40 days'"; else move=ts; fi
    echo "UPDATE workflow_events SET payload = jsonb_build_object('updated', $n), ts = $move
           WHERE id = ${ids[$(((RANDOM * 32768 + RANDOM) % ${#ids[@]}))]}
          RETURNING id, (extract(epoch FROM ts) * 1000000)::bigint, payload::text;"
    sleep 0.02
  done | psql -h $host -U postgres -d "$1" -qAt -F'|' > "$2/updated.txt" 2> "$2/updater.err"
}

# --- one case ------------------------------------------------------------------------------
summary=()
longest_conversion=0
run_case() { # $1 case: none | in-place | online
  local name=$1 db=${base}_${1//-/_} dir=$work/$1 pids=() rc=0
  mkdir -p "$dir"
  databases+=("$db")
  psql -h $host -U postgres -qc "CREATE DATABASE $db TEMPLATE $base"
  inserters "$db" events "$dir" & pids+=($!)
  inserters "$db" runs "$dir" & pids+=($!)
  deleter "$db" "$dir" & pids+=($!)
  updater "$db" "$dir" & pids+=($!)
  background+=("${pids[@]}")
  sleep 3
  local lsn started took
  lsn=$(sql "$db" "SELECT pg_current_wal_lsn()")
  started=$(now)
  case $name in
    none) sleep "$(echo "if ($longest_conversion > 0) $longest_conversion else ${NONE_SECONDS:-20}" | bc -l)" ;;
    in-place|online)
      $partwarden $(jdbc "$db") --partwarden.migration.conversion="$name" > "$dir/partwarden.log" 2>&1 || rc=$?
      [ $rc -eq 0 ] || { echo "  partwarden exited $rc:"; tail -20 "$dir/partwarden.log" | sed 's/^/    /'; } ;;
  esac
  took=$(echo "$(now) - $started" | bc -l)
  local wal
  wal=$(sql "$db" "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn')")
  [ "$name" = none ] || longest_conversion=$(echo "if ($took > $longest_conversion) $took else $longest_conversion" | bc -l)
  sleep 2
  touch "$dir/stop"
  wait "${pids[@]}" || true

  # what the clients saw, against what the table holds
  local longest p99 acknowledged failed aborted errors found deleted left updates lost twice ids_continue table
  cat "$dir"/latency-* | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -n > "$dir/latencies"
  acknowledged=$(wc -l < "$dir/latencies")
  longest=$(awk '{ v = $1 } END { printf "%.1f", v / 1000 }' "$dir/latencies")
  p99=$(awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.1f", v[i] / 1000 }' "$dir/latencies")
  failed=$(cat "$dir"/pgbench-*.out | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
  aborted=$(cat "$dir"/pgbench-*.out | grep -c "aborted in command" || true)
  errors=$(cat "$dir/deleter.err" "$dir/updater.err" | grep -c ERROR || true)
  found=$(sql "$db" "SELECT count(*) FROM workflow_events WHERE type IN ('bench', 'bench.run')")
  deleted=$(grep -c . "$dir/deleted.txt" || true)
  left=$(sql "$db" "SELECT count(*) FROM workflow_events WHERE run_id = ANY ('{$(paste -sd, "$dir/deleted.txt")}'::uuid[])")
  awk -F'|' '{ last[$1] = $0 } END { for (id in last) print last[id] }' "$dir/updated.txt" > "$dir/updated-last.txt"
  updates=$(wc -l < "$dir/updated-last.txt")
  lost=$(psql -h $host -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt <<SQL
CREATE TEMP TABLE updated (id bigint, ts_micros bigint, payload text);
\copy updated FROM '$dir/updated-last.txt' WITH (DELIMITER '|')
SELECT count(*) FROM updated u
 WHERE NOT EXISTS (SELECT 1 FROM workflow_events e WHERE e.id = u.id AND e.payload = u.payload::jsonb
                      AND (extract(epoch FROM e.ts) * 1000000)::bigint = u.ts_micros);
SQL
)
  twice=$(sql "$db" "SELECT count(*) FROM (SELECT id FROM workflow_events GROUP BY id HAVING count(*) > 1) d")
  ids_continue=$(sql "$db" "SELECT CASE WHEN nextval(pg_get_serial_sequence('public.workflow_events', 'id')) > max(id) THEN 'yes' ELSE 'NO' END FROM workflow_events")
  table=$(sql "$db" "SELECT CASE relkind WHEN 'p' THEN 'partitioned' ELSE 'plain' END
                       || CASE WHEN to_regclass('public.workflow_events_unpartitioned') IS NULL THEN '' ELSE ', old kept' END
                       || CASE WHEN $rc = 0 THEN '' ELSE ', exit $rc' END
                       FROM pg_class WHERE oid = 'public.workflow_events'::regclass")
  local line
  line=$(printf "| %s | %.1f s | %s ms | %s ms | %s + %s aborted clients | %s | %s / %s | %s (%s events left) | %s (%s lost) | %s | %s | %.1f MB | %s |" \
    "$name" "$took" "$longest" "$p99" "$failed" "$aborted" "$errors" "$acknowledged" "$found" "$deleted" "$left" \
    "$updates" "$lost" "$twice" "$ids_continue" "$(echo "$wal / 1000000" | bc -l)" "$table")
  echo "$line"
  summary+=("$line")
  psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
}

header="| case | time | longest insert | p99 insert | failed inserts | deleter/updater errors | inserts acknowledged / found | runs deleted | rows updated | ids twice | ids continue | WAL while converting | table after |"
echo "$header"
for c in $cases; do
  case $c in none|in-place|online) run_case "$c" ;; *) echo "unknown case $c: none, in-place or online" >&2; exit 2 ;; esac
done
echo
echo "$((bulk + 10000)) events:"
echo "$header"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
