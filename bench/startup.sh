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

measure() { # $1 label, $2 the health path that must answer 200, rest: command
  local label=$1 health=$2; shift 2
  for _ in $(seq 1 "$runs"); do
    local started pid healthy rss
    started=$(date +%s%N)
    "$@" > "$work/run.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "localhost:$port$health"; do sleep 0.05; done
    healthy=$(( ($(date +%s%N) - started) / 1000000 ))
    sleep 20
    rss=$(( $(ps -o rss= -p $pid) / 1024 ))
    kill $pid; wait $pid 2>/dev/null || true
    printf '%-44s %s answers after %5d ms   idle RSS %4d MB\n' "$label" "$health" "$healthy" "$rss"
  done
}

measure "java -jar (defaults)" /actuator/health/liveness java -jar target/partwarden.jar $url
measure "extracted jar + CDS + sidecar flags" /actuator/health/liveness \
  java $sidecar_flags -XX:SharedArchiveFile="$work/app/partwarden.jsa" -jar "$work/app/partwarden.jar" $url
psql -h $host -U postgres -qc "DROP DATABASE $db WITH (FORCE)"

# The newcomer's demo: an embedded PostgreSQL is unpacked, initialised and filled with 10,000
# events, then converted; it counts as healthy once the partitions component answers, i.e. the
# table is converted and maintained. RSS is the JVM's alone (the server is another process).
measure "java -jar --demo (defaults)" /actuator/health/partitions java -jar target/partwarden.jar --demo --server.port=$port
