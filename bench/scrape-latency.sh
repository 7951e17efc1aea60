#!/usr/bin/env bash
# Scrape latency of /actuator/prometheus with 10, 100 and 1,000 partitions, the SQL statements
# a scrape costs, and the time of the background statistics read that feeds it.
# Needs: a built target/partwarden.jar, PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl.
# Usage: bench/scrape-latency.sh [N ...]   (default: 10 100 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
host=127.0.0.1 port=19471 scrapes=200
sql() { psql -h $host -U postgres -d "$1" -v ON_ERROR_STOP=1 -qAtc "$2"; }

run() { # $1 number of partitions
  local n=$1 db=pw_scrape_$1 pid
  psql -h $host -U postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  java -jar target/partwarden.jar --once --spring.datasource.url="jdbc:postgresql://$host:5432/$db" \
    --spring.datasource.username=postgres >/dev/null 2>&1
  sql "$db" "CREATE TABLE bench (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
             CREATE INDEX bench_at_idx ON bench (at);
             SELECT count(partwarden.create_partition('bench', 'bench_p' || d, '2020-01-01'::timestamptz + make_interval(days => d),
                                                       '2020-01-01'::timestamptz + make_interval(days => d + 1)))
               FROM generate_series(0, $n - 1) d;
             INSERT INTO bench SELECT g, '2020-01-01'::timestamptz + make_interval(mins => g % ($n * 1440)) FROM generate_series(1, 50000) g;
             ANALYZE bench;
             -- so that autovacuum's transactions do not count among the scrapes' below
             DO \$\$ DECLARE p regclass; BEGIN
               FOR p IN SELECT partition FROM partwarden.partitions('bench') LOOP
                 EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = off)', p);
               END LOOP;
             END \$\$;" >/dev/null
  # statistics read once at start-up and after the pass, then not for an hour: scrapes alone
  java -jar target/partwarden.jar --server.port=$port --spring.datasource.url="jdbc:postgresql://$host:5432/$db" \
    --spring.datasource.username=postgres --partwarden.tables[0].name=bench --partwarden.tables[0].column=at \
    --partwarden.tables[0].interval=day --partwarden.tables[0].premake=0 --partwarden.metrics.refresh-interval=1h \
    > /tmp/pw-scrape-$n.log 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do curl -sf "localhost:$port/actuator/health/partitions" >/dev/null && break; sleep 0.5; done
  sleep 2
  for _ in $(seq 1 20); do curl -sf -o /dev/null "localhost:$port/actuator/prometheus"; done   # warm-up
  local before after
  before=$(sql "$db" "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
  for _ in $(seq 1 $scrapes); do curl -sf -o /dev/null -w '%{time_total}\n' "localhost:$port/actuator/prometheus"; done > /tmp/pw-scrape-times
  sleep 1
  after=$(sql "$db" "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
  local series
  series=$(curl -sf "localhost:$port/actuator/prometheus" | grep -c '^partwarden_partition_size_bytes')
  kill $pid; wait $pid || true
  # the background read, timed in the database: the statistics query of PartitionStatsReader
  local read_ms
  read_ms=$(for _ in 1 2 3 4 5; do
      psql -h $host -U postgres -d "$db" -qAt -c '\timing on' -c "SELECT count(*) FROM (
          SELECT p.partition_name, pg_total_relation_size(p.partition),
                 CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint ELSE partwarden.exact_row_count(p.partition) END
            FROM partwarden.partitions('bench') p JOIN pg_class c ON c.oid = p.partition) s" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
    done | sort -n | sed -n 3p)
  sort -n /tmp/pw-scrape-times | awk -v n="$n" -v series="$series" -v tx="$((after - before - 1))" -v scrapes=$scrapes -v read="$read_ms" '
    { t[NR] = $1 * 1000 }
    END { printf "%5d partitions (%4d size series): scrape p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms   database transactions during %d scrapes: %d   background statistics read: %s ms (median of 5)\n",
                 n, series, t[int(NR * 0.5)], t[int(NR * 0.95)], t[NR], scrapes, tx, read }'
  psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
}

counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(10 100 1000)
for n in "${counts[@]}"; do run "$n"; done
