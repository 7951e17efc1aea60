#!/usr/bin/env bash
# Start-up time to healthy (liveness 200) and idle memory (RSS 20 s after healthy) of the
# daemon, started as the container starts it and plainly, against a migrated database.
# Needs: a built target/partwarden.jar, PostgreSQL on 127.0.0.1:5432 (user postgres, trust), curl.
# Usage: bench/startup.sh [runs]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3} host=127.0.0.1 port=19472 db=pw_startup
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql -h $host -U postgres -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
url="--spring.datasource.url=jdbc:postgresql://$host:5432/$db --spring.datasource.username=postgres --server.port=$port"
java -jar target/partwarden.jar --once $url >/dev/null 2>&1

# The container's layout: the extracted jar and a class data sharing archive from a training run
# (the same commands as the Dockerfile's).
java -Djarmode=tools -jar target/partwarden.jar extract --destination "$work/app" >/dev/null
(cd "$work/app" && java -XX:ArchiveClassesAtExit=partwarden.jsa -Dspring.context.exit=onRefresh \
   -jar partwarden.jar --spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none >/dev/null 2>&1 || true)
sidecar_flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:MaxRAM=256m -XX:MaxRAMPercentage=60"

measure() { # $1 label, rest: command
  local label=$1; shift
  for _ in $(seq 1 "$runs"); do
    local started pid healthy rss
    started=$(date +%s%N)
    "$@" $url > "$work/run.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "localhost:$port/actuator/health/liveness"; do sleep 0.05; done
    healthy=$(( ($(date +%s%N) - started) / 1000000 ))
    sleep 20
    rss=$(( $(ps -o rss= -p $pid) / 1024 ))
    kill $pid; wait $pid 2>/dev/null || true
    printf '%-44s healthy after %5d ms   idle RSS %4d MB\n' "$label" "$healthy" "$rss"
  done
}

measure "java -jar (defaults)" java -jar target/partwarden.jar
measure "extracted jar + CDS + sidecar flags" java $sidecar_flags -XX:SharedArchiveFile="$work/app/partwarden.jsa" -jar "$work/app/partwarden.jar"
psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"

# The newcomer's demo: an embedded PostgreSQL is unpacked, initialised and filled with 10,000
# events, then converted; "healthy" here waits for the partitions component, i.e. the table is
# converted and maintained. RSS is the JVM's alone (the embedded server is a separate process).
url="--server.port=$port"
until_partitions() { until curl -sf -o /dev/null "localhost:$port/actuator/health/partitions"; do sleep 0.05; done; }
for _ in $(seq 1 "$runs"); do
  started=$(date +%s%N)
  java -jar target/partwarden.jar --demo $url > "$work/demo.log" 2>&1 &
  pid=$!
  until_partitions
  healthy=$(( ($(date +%s%N) - started) / 1000000 ))
  sleep 20
  rss=$(( $(ps -o rss= -p $pid) / 1024 ))
  kill $pid; wait $pid 2>/dev/null || true
  printf '%-44s converted and healthy after %5d ms   idle RSS %4d MB\n' "java -jar --demo (defaults)" "$healthy" "$rss"
done
