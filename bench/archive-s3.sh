#!/usr/bin/env bash
# Archive throughput to S3-compatible storage against the same partition archived to a local
# directory. One partition of workflow_events (two months back) is filled with ROWS events
# (default 1,500,000, about 440 MB of table, the fill of archive-throughput.sh); then ROUNDS
# rounds (default 3) of:
#  1. partwarden --once with on-retire: archive to a directory (detach, COPY through gzip into
#     the file, read back, drop); --restore of its manifest, which reattaches the partition;
#  2. the same to s3://archives/rN on an S3Proxy (filesystem backend) run here as a process on
#     127.0.0.1:PORT; --restore of the s3:// manifest.
# Prints, per round and as medians, MB/s of table data (pg_table_size / seconds, from
# Partwarden's "archived to ... MB/s" log line) for both, the ratio S3 / file, the archive sizes,
# the CPU seconds S3Proxy used during each S3 run (/proc), and the JVM's heap during the write (-Xlog:gc: the largest heap before and after a collection
# between the start and the end of the write; SerialGC, so "before" is the peak used).
# Needs: a built target/partwarden.jar and target/s3proxy/s3proxy.jar (mvn package copies it),
# PostgreSQL on 127.0.0.1:5432 (user postgres, trust), bc.
# Usage: ROWS=1500000 ROUNDS=3 PORT=56200 bench/archive-s3.sh
set -euo pipefail
cd "$(dirname "$0")/.."
host=127.0.0.1
rows=${ROWS:-1500000}
rounds=${ROUNDS:-3}
port=${PORT:-56200}
db=s3bench_archive
work=$(mktemp -d)
s3proxy=
cleanup() {
  [ -n "$s3proxy" ] && { kill "$s3proxy" 2>/dev/null; wait "$s3proxy" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
sql() { psql -h $host -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAtc "$1"; }
jdbc="--spring.datasource.url=jdbc:postgresql://$host:5432/$db --spring.datasource.username=postgres"
# JVM flags as the Dockerfile sets them (JAVA_TOOL_OPTIONS), less what only a container needs
jvm=${JVM_FLAGS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k}
export TZ=UTC AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
s3="--partwarden.archive.s3.endpoint=http://$host:$port --partwarden.archive.s3.path-style=true"

mkdir -p "$work/buckets/archives"
cat > "$work/s3proxy.properties" <<EOF
s3proxy.endpoint=http://$host:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/buckets
EOF
java -Xmx256m -jar target/s3proxy/s3proxy.jar --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
s3proxy=$!
for _ in $(seq 60); do curl -s -o /dev/null "http://$host:$port/" && break; sleep 0.5; done
curl -s -o /dev/null "http://$host:$port/" || { echo "S3Proxy did not start:"; tail -20 "$work/s3proxy.log"; exit 1; }

psql -h $host -U postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
sql "CREATE TABLE workflow_runs (id uuid PRIMARY KEY); INSERT INTO workflow_runs VALUES ('c0000000-0000-0000-0000-000000000011')"
java $jvm -jar target/partwarden.jar --once $jdbc > "$work/migrate.log" 2>&1
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
printf "partition %s: %d rows, %.1f MB of table (pg_table_size); S3Proxy on port %d, filesystem backend under %s\n" \
  "$partition" "$rows" "$(echo "$bytes / 1000000" | bc -l)" "$port" "$work"

# ms since midnight of a "2026-12-02T21:35:00.123" time (UTC; a run never spans midnight here)
ms() { echo "$1" | awk -F'[T:]' '{ printf "%d", $2 * 3600000 + $3 * 60000 + $4 * 1000 }'; }
# $1 the GC log, $2 and $3 the window in ms: "maxbefore maxafter collections" in MB (K, M, G read as such)
heap() {
  awk -v from="$2" -v to="$3" '
    function mb(n, u) { return u == "K" ? n / 1024 : u == "G" ? n * 1024 : n }
    match($0, /^\[[0-9-]+T[0-9:.]+/) {
      split(substr($0, RSTART + 12, RLENGTH - 12), t, ":"); at = t[1] * 3600000 + t[2] * 60000 + t[3] * 1000
      if (at < from || at > to || !match($0, /[0-9]+[KMG]->[0-9]+[KMG]\(/)) next
      split(substr($0, RSTART, RLENGTH - 1), s, "->")
      b = mb(substr(s[1], 1, length(s[1]) - 1), substr(s[1], length(s[1])))
      a = mb(substr(s[2], 1, length(s[2]) - 1), substr(s[2], length(s[2])))
      if (b > maxb) maxb = b; if (a > maxa) maxa = a; n++
    }
    END { printf "%.0f %.0f %d", maxb, maxa, n }' "$1"
}
# $1 label, $2 location, $3 log; sets mbps, size, secs, verify, heapb, heapa, gcs, manifest
archive() {
  local label=$1 location=$2 log=$3
  case $location in s3://*) ;; *) mkdir -p "$location" ;; esac
  java $jvm "-Xlog:gc:file=$log.gc:time" -jar target/partwarden.jar --once $jdbc $s3 \
    --partwarden.tables[0].name=workflow_events --partwarden.tables[0].retention=1m \
    --partwarden.tables[0].on-retire=archive --partwarden.archive.location="$location" > "$log" 2>&1 \
    || { echo "partwarden ($label) failed:"; tail -20 "$log"; exit 1; }
  local line end
  line=$(grep "archived to" "$log")
  mbps=$(echo "$line" | sed -E 's/.*: ([0-9.]+) MB\/s$/\1/')
  secs=$(echo "$line" | sed -E 's/.* in ([0-9.]+) s: .*/\1/')
  size=$(echo "$line" | sed -E 's/.* \(([0-9]+) bytes\) in .*/\1/')
  verify=$(grep -o "verified in [0-9.]* s" "$log" | grep -o "[0-9.]* s")
  end=$(ms "$(echo "$line" | grep -oE '^[0-9-]+T[0-9:.]+')")
  read -r heapb heapa gcs <<< "$(heap "$log.gc" "$(echo "$end - $secs * 1000" | bc -l | cut -d. -f1)" "$end")"
  manifest=$(grep -oE "archived to [^ ]+" "$log" | sed -E 's/archived to //; s/\.copy\.gz$/.manifest.json/')
  printf "  %-5s %6.2f s  %6s MB/s  %d bytes  read back %s  heap during the write: max %s MB before / %s MB after GC (%s GCs)\n" \
    "$label" "$secs" "$mbps" "$size" "$verify" "$heapb" "$heapa" "$gcs"
}
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$s3proxy/stat"; } # S3Proxy's user+system CPU seconds
restore() { # $1 manifest, $2 log
  java $jvm -jar target/partwarden.jar $jdbc $s3 --restore="$1" > "$2" 2>&1 \
    || { echo "restore of $1 failed:"; tail -20 "$2"; exit 1; }
  sql "VACUUM ANALYZE workflow_events"
  printf "  restored %s: %s\n" "$(echo "$1" | sed "s|$work|<tmp>|")" "$(grep -o 'Restored [0-9]* rows' "$2")"
}

declare -a file_mbps s3_mbps ratios file_hb s3_hb file_ha s3_ha
for r in $(seq "$rounds"); do
  echo "round $r:"
  archive file "$work/dir$r" "$work/file$r.log"
  file_mbps+=("$mbps"); file_hb+=("$heapb"); file_ha+=("$heapa"); fsize=$size
  restore "$manifest" "$work/restore-file$r.log"
  before=$(cpu)
  archive s3 "s3://archives/r$r" "$work/s3-$r.log"
  printf "  S3Proxy used %.2f s of CPU during the S3 run (JVM start, upload, read back)\n" "$(echo "$(cpu) - $before" | bc -l)"
  s3_mbps+=("$mbps"); s3_hb+=("$heapb"); s3_ha+=("$heapa")
  ratios+=("$(echo "scale=3; $mbps / ${file_mbps[-1]}" | bc -l)")
  stored=$(stat -c %s "$work"/buckets/archives/r$r/public.workflow_events/*.copy.gz)
  printf "  S3 / file %.2fx; archive sizes file %d, S3 %d (object as S3Proxy stored it %d): %s\n" "${ratios[-1]}" \
    "$fsize" "$size" "$stored" "$([ "$fsize" = "$size" ] && [ "$size" = "$stored" ] && echo equal || echo DIFFERENT)"
  restore "$manifest" "$work/restore-s3-$r.log"
done
median() { printf "%s\n" "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "medians over $rounds rounds:"
printf "  file %s MB/s, S3 %s MB/s, S3 / file %.2fx (per round: %s)\n" "$(median "${file_mbps[@]}")" "$(median "${s3_mbps[@]}")" \
  "$(median "${ratios[@]}")" "$(printf "%.2f " "${ratios[@]}")"
printf "  heap during the write, max before GC: file %s MB, S3 %s MB; max after GC: file %s MB, S3 %s MB\n" \
  "$(median "${file_hb[@]}")" "$(median "${s3_hb[@]}")" "$(median "${file_ha[@]}")" "$(median "${s3_ha[@]}")"
psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
