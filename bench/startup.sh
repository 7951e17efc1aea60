#!/usr/bin/env bash
# Start-up time to live (liveness 200) and idle memory (20 s after) of the daemon: plain
# `java -jar target/partwarden.jar` on this machine's JDK, and the container image run under
# podman as the Kubernetes sidecar runs it (config/k8s/sidecar.yaml's flags: 256 MiB limit,
# read-only root, uid 10001), against the same migrated database, alternating, in one run.
# Prints each run, then the medians and the image's ratios to plain java -jar.
# Needs: target/partwarden.jar; the image localhost/partwarden:0.1.0 (`bash .ci/run
# image_stand_ins image_build`); PostgreSQL on 127.0.0.1:5432 (user postgres, trust); curl.
# Usage: bench/startup.sh [runs]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/.ci/containers.conf}
runs=${1:-3} host=127.0.0.1 db=pw_startup_$$ name=pw-startup-$$
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
trap 'podman rm -f -t 0 $name >/dev/null 2>&1; podman volume rm -f $name-archive >/dev/null 2>&1;
      psql -h $host -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null; rm -rf "$work"' EXIT
psql -h $host -U postgres -qc "CREATE DATABASE $db"
url="--spring.datasource.url=jdbc:postgresql://$host:5432/$db --spring.datasource.username=postgres --server.port=$port"
java -jar target/partwarden.jar --once $url >/dev/null 2>&1
mapfile -t sidecar < <(python3 .ci/k8s-podman-flags.py config/k8s/sidecar.yaml partwarden \
  --set POSTGRES_USER=postgres --set POSTGRES_PASSWORD=unused --set POSTGRES_DB=$db --volume-prefix $name-)

live_after() { # ms from $1 (date +%s%N) until liveness answers
  until curl -sf -o /dev/null "localhost:$port/actuator/health/liveness"; do sleep 0.05; done
  echo $(( ($(date +%s%N) - $1) / 1000000 ))
}

plain() {
  local started pid ms rss
  started=$(date +%s%N)
  java -jar target/partwarden.jar $url > "$work/plain.log" 2>&1 &
  pid=$!
  ms=$(live_after "$started")
  sleep 20
  rss=$(( $(ps -o rss= -p $pid) / 1024 ))
  kill $pid; wait $pid 2>/dev/null || true
  echo "plain $ms $rss -"
}

# RSS counts the AOT cache's read-only half, clean file pages the kernel may drop and share;
# the cgroup's charge is what the 256 MiB limit holds the container to.
image() {
  local started ms rss charge
  started=$(date +%s%N)
  podman run -d --name $name --network host --health-cmd none --health-interval disable "${sidecar[@]}" \
    --env SERVER_PORT=$port localhost/partwarden:0.1.0 >/dev/null
  ms=$(live_after "$started")
  sleep 20
  rss=$(podman exec $name awk '/VmRSS/ {print int($2 / 1024)}' /proc/1/status)
  charge=$(podman exec $name awk '{print int($1 / 1048576)}' /sys/fs/cgroup/memory/memory.usage_in_bytes)
  podman rm -f -t 10 $name >/dev/null
  podman volume rm -f $name-archive >/dev/null
  echo "image $ms $rss $charge"
}

for _ in $(seq 1 "$runs"); do plain; image; done | tee "$work/runs" | while read -r what ms rss charge; do
  printf '%-5s  live after %5d ms   idle RSS %4d MB   cgroup charge %s MB\n' "$what" "$ms" "$rss" "$charge"
done
python3 - "$work/runs" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
med = lambda what, i: statistics.median(float(r[i]) for r in runs if r[0] == what)
p_ms, i_ms, p_rss, i_rss, i_charge = med("plain", 1), med("image", 1), med("plain", 2), med("image", 2), med("image", 3)
print(f"medians: java -jar {p_ms:.0f} ms, {p_rss:.0f} MB; image {i_ms:.0f} ms, {i_rss:.0f} MB RSS, {i_charge:.0f} MB charged")
print(f"image / java -jar: start-to-liveness {i_ms / p_ms:.2f}x, idle RSS {i_rss / p_rss:.2f}x")
PY

# The newcomer's demo: an embedded PostgreSQL is unpacked, initialised and filled with 10,000
# events, then converted; it counts as healthy once the partitions component answers, i.e. the
# table is converted and maintained. RSS is the JVM's alone (the server is another process).
if [ "${DEMO:-1}" = 1 ]; then
  for _ in $(seq 1 "$runs"); do
    started=$(date +%s%N)
    java -jar target/partwarden.jar --demo --server.port=$port > "$work/demo.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "localhost:$port/actuator/health/partitions"; do sleep 0.05; done
    healthy=$(( ($(date +%s%N) - started) / 1000000 ))
    sleep 20
    printf 'java -jar --demo  converted and healthy after %5d ms   idle RSS %4d MB\n' "$healthy" $(( $(ps -o rss= -p $pid) / 1024 ))
    kill $pid; wait $pid 2>/dev/null || true
  done
fi
