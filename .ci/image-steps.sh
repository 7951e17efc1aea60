# Sourced by .ci/run: the container image built and run for real, under podman (daemonless, as
# root; CI machines have no Docker engine and reach no image registry, so the public base images
# are stand-ins made here: .ci/stand-in-images.sh). Uses .ci/run's log, free_port,
# meshhook_database, RUN_ID, CLEANUP_DATABASES.
source .ci/podman.sh

IMAGE=localhost/partwarden:0.1.0  # the manifests' partwarden:0.1.0
CLEANUP_CONTAINERS=()
CLEANUP_VOLUMES=()
COMPOSE_PROJECT=""

image_cleanup() {
  local c v
  [ -z "$COMPOSE_PROJECT" ] || CI_PROMETHEUS_DIR=/nonexistent podman-compose -p "$COMPOSE_PROJECT" -f docker-compose.yml -f .ci/compose.ci.yml down -v >/dev/null 2>&1 || true
  [ -z "$COMPOSE_PROJECT" ] || podman network rm -f "${COMPOSE_PROJECT}_default" >/dev/null 2>&1 || true
  for c in "${CLEANUP_CONTAINERS[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  for v in "${CLEANUP_VOLUMES[@]}"; do podman volume rm -f "$v" >/dev/null 2>&1 || true; done
}
trap 'image_cleanup; cleanup' EXIT

# Seconds since $1 (from $SECONDS), for the step timings CI prints.
took() { echo "$(( SECONDS - $1 )) s"; }

# Polls `curl -sf $1` until it answers (and, given $2, its body matches the regex $2); fails after $3 s.
await_http() {
  local url=$1 pattern=${2:-} limit=${3:-120} deadline=$(( SECONDS + ${3:-120} ))
  until body=$(curl -sf "$url" 2>/dev/null) && { [ -z "$pattern" ] || grep -Eq "$pattern" <<<"$body"; }; do
    [ $SECONDS -lt $deadline ] || { echo "no answer from $url${pattern:+ matching $pattern} within $limit s" >&2; return 1; }
    sleep 0.2
  done
}

image_stand_ins() {
  local started=$SECONDS
  podman_ready
  .ci/stand-in-images.sh maven jre postgres prometheus s3proxy
  echo "stand-in images: $(took $started)"
}

# The Dockerfile as it is, with no registry (--pull=never: the stand-ins) and Docker's format
# (OCI has no HEALTHCHECK). The build stage sees this machine's Maven repository through an
# overlay (:O: its writes are thrown away), so it downloads only what the repository lacks.
image_build() {
  local started=$SECONDS
  mkdir -p target
  podman build --pull=never --format docker --jobs 2 -v "$HOME/.m2:/root/.m2:O" -t "$IMAGE" . \
    > "target/ci-image-build-$RUN_ID.log" 2>&1 || { tail -40 "target/ci-image-build-$RUN_ID.log"; return 1; }
  test "$(podman image inspect -f '{{.Config.User}}' "$IMAGE")" = 10001
  podman image inspect -f '{{json .Config.Healthcheck}}' "$IMAGE" | grep -c /actuator/health/liveness >/dev/null
  echo "image built: $(podman image inspect -f '{{.Size}}' "$IMAGE" | numfmt --to=iec) in $(took $started)"
}

# The podman flags that run the image as config/k8s/$1 runs it (.ci/k8s-podman-flags.py), into
# the array K8S_FLAGS; the rest of the arguments go to the script (--set NAME=VALUE ...).
k8s_flags() {
  local manifest=$1; shift
  mapfile -t K8S_FLAGS < <(python3 .ci/k8s-podman-flags.py "config/k8s/$manifest" partwarden "$@")
  [ ${#K8S_FLAGS[@]} -gt 0 ]
}

# The image as the StatefulSet's sidecar (config/k8s/sidecar.yaml), PostgreSQL being "the Pod's
# localhost": the host's network, so 127.0.0.1:5432 is the host's server; only the HTTP port is
# moved to a free one (SERVER_PORT), the host being shared. It starts before its database exists
# (the Pod's PostgreSQL still starting): live and ready all the same, waiting; then the database
# comes, filled with MeshHook's fixture, and the sidecar converts it, serves a scrape that
# promtool passes, and ends gracefully on SIGTERM within the kubelet's grace.
image_sidecar() {
  local db=pw_ci_sidecar_$RUN_ID name=pw-ci-sidecar-$RUN_ID port started live_ms scrape=target/ci-image-scrape-$RUN_ID.txt
  port=$(free_port)
  k8s_flags sidecar.yaml --set POSTGRES_USER=postgres --set POSTGRES_PASSWORD=unused --set POSTGRES_DB="$db" \
    --volume-prefix "$name-"
  CLEANUP_CONTAINERS+=("$name")
  CLEANUP_VOLUMES+=("$name-archive")
  CLEANUP_DATABASES+=("$db" "${db}_filling")
  started=$(date +%s%N)
  # Kubernetes ignores the image's HEALTHCHECK (it has its probes): so does this run
  podman run -d --name "$name" --network host --health-cmd none --health-interval disable "${K8S_FLAGS[@]}" \
    --env SERVER_PORT="$port" --env PARTWARDEN_METRICS_REFRESHINTERVAL=2s "$IMAGE" >/dev/null
  await_http "localhost:$port/actuator/health/liveness" '"UP"' 60
  live_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  await_http "localhost:$port/actuator/health/readiness" '"UP"' 10
  echo "live and ready after $live_ms ms (cold container), the database not there yet"
  podman logs "$name" 2>&1 | grep -c "retrying in" >/dev/null || { podman logs "$name"; echo "no wait for the database logged" >&2; return 1; }
  # The JVM warns and runs on without its AOT cache when the cache does not fit (class path,
  # flags). Allowed: JDK 25's warning that one adapter's code could not be taken from the cache
  # (fingerprints that collide, JDK-8364929; the adapter is generated, the cache used).
  ! podman logs "$name" 2>&1 | grep -E '\]\[(aot|cds)' \
    | grep -Ev "Saved blob's name '[A-Z]+' is different from the expected name|Failed to link AdapterHandlerEntry" \
    || { echo "the AOT cache was not used" >&2; return 1; }
  # the database comes, whole: filled under another name, then renamed (one catalog change)
  meshhook_database "${db}_filling"
  psql -h 127.0.0.1 -U postgres -qc "ALTER DATABASE ${db}_filling RENAME TO $db"
  await_http "localhost:$port/actuator/prometheus" '(^|\n)partwarden_catalog_up\{.*\} 1\.0' 120
  podman logs "$name" 2>&1 | grep -E "Reached the database at attempt" | tail -1
  test "$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "SELECT relkind FROM pg_class WHERE oid = 'workflow_events'::regclass")" = p
  echo "converted workflow_events while running as uid $(podman exec "$name" id -u), read-only root, 256 MiB"
  podman exec "$name" sh -c 'touch /var/lib/partwarden/archive/.w && rm /var/lib/partwarden/archive/.w && ! touch /app/x 2>/dev/null'
  curl -sf "localhost:$port/actuator/prometheus" > "$scrape"
  promtool check metrics < "$scrape"
  echo "promtool check metrics: the container's scrape passes ($(grep -c '^# TYPE' "$scrape") families)"
  echo "RSS after the conversion: $(podman exec "$name" awk '/VmRSS/ {print int($2 / 1024)}' /proc/1/status) MB"
  local stop_started code stop_ms
  stop_started=$(date +%s%N)
  podman stop -t 10 "$name" >/dev/null
  stop_ms=$(( ($(date +%s%N) - stop_started) / 1000000 ))
  code=$(podman inspect -f '{{.State.ExitCode}}' "$name")
  echo "SIGTERM: stopped after $stop_ms ms, exit code $code"
  [ "$stop_ms" -lt 10000 ]
  # 143: the JVM's exit on SIGTERM once its shutdown hooks ran; 137 would be the SIGKILL after 10 s
  [ "$code" = 143 ] || [ "$code" = 0 ] || { podman logs --tail 30 "$name"; return 1; }
  podman logs "$name" 2>&1 | grep -E "Graceful shutdown complete|Commencing graceful shutdown" | tail -1
  podman rm "$name" >/dev/null
}

# The commands as the CronJob (config/k8s/cronjob.yaml: --once, meshhook-db being the host) and an
# operator (the same flags, --dry-run or --verify) run them; exit codes checked.
image_commands() {
  local db=pw_ci_commands_$RUN_ID code
  meshhook_database "$db"
  k8s_flags cronjob.yaml --set POSTGRES_USER=postgres --set POSTGRES_PASSWORD=unused --set POSTGRES_DB="$db"
  mapfile -t cron_args < <(python3 .ci/k8s-podman-flags.py config/k8s/cronjob.yaml partwarden --args)
  run_command() {  # expected exit code, then the arguments
    local expected=$1 started=$SECONDS; shift
    podman run --rm --network host --add-host meshhook-db:127.0.0.1 --health-cmd none --health-interval disable "${K8S_FLAGS[@]}" "$IMAGE" "$@" \
      > "target/ci-image-command-$RUN_ID.log" 2>&1 && code=0 || code=$?
    echo "$* -> exit $code in $(took $started)"
    [ "$code" = "$expected" ] || { tail -30 "target/ci-image-command-$RUN_ID.log"; return 1; }
  }
  run_command 0 --dry-run                     # before: shows the conversion it would do
  run_command 0 "${cron_args[@]}"             # the CronJob's pass: converts
  test "$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "SELECT relkind::text || ':' || (SELECT count(*) FROM workflow_events) FROM pg_class WHERE oid = 'workflow_events'::regclass")" = "p:10000"
  run_command 0 --verify                      # after: every partition checks out
  run_command 0 "${cron_args[@]}"             # converged: nothing to do, still 0
  # a database that never comes: --once gives up after its wait, exit 3 (DATABASE_UNAVAILABLE)
  k8s_flags cronjob.yaml --set POSTGRES_USER=postgres --set POSTGRES_PASSWORD=unused --set POSTGRES_DB="${db}_absent"
  K8S_FLAGS+=(--env PARTWARDEN_STARTUP_DATABASEWAIT=3s)
  run_command 3 "${cron_args[@]}"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
}

# docker-compose.yml under podman-compose with .ci/compose.ci.yml: the stand-in PostgreSQL 15 fills
# its MeshHook database from the init scripts, Partwarden (waiting for it) converts it, the real
# Prometheus scrapes Partwarden over the compose network (target up); then the runway is taken
# away (the future partitions dropped) and Prometheus fires PartwardenRunwayShort.
compose_stack() {
  local started=$SECONDS dir=$PWD/target/ci-prometheus-$RUN_ID pw_port prom_port postgres
  COMPOSE_PROJECT=pwci$RUN_ID
  mkdir -p "$dir"
  sed -E 's/^(  (scrape|evaluation)_interval:).*/\1 2s/' config/prometheus.yml > "$dir/prometheus.yml"
  python3 - config/prometheus/alerts.yml "$dir/alerts.yml" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
short = [r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "PartwardenRunwayShort"]
assert len(short) == 1, "PartwardenRunwayShort is not in the rules"
short[0]["for"] = "0s"
yaml.safe_dump(rules, open(sys.argv[2], "w"), sort_keys=False)
PY
  pw_port=$(free_port) prom_port=$(free_port)
  compose() {
    CI_PROMETHEUS_DIR=$dir PARTWARDEN_PORT=$pw_port PROMETHEUS_PORT=$prom_port POSTGRES_PASSWORD=ci-$RUN_ID \
      podman-compose -p "$COMPOSE_PROJECT" -f docker-compose.yml -f .ci/compose.ci.yml "$@"
  }
  compose up -d --no-build postgres s3 partwarden prometheus > "target/ci-compose-$RUN_ID.log" 2>&1 \
    || { tail -30 "target/ci-compose-$RUN_ID.log"; return 1; }
  postgres=$(podman ps --filter "label=io.podman.compose.project=$COMPOSE_PROJECT" \
    --filter label=com.docker.compose.service=postgres --format '{{.Names}}')
  await_http "127.0.0.1:$pw_port/actuator/prometheus" '(^|\n)partwarden_catalog_up\{.*\} 1\.0' 180
  echo "compose: PostgreSQL initialised, Partwarden converted workflow_events ($(took $started))"
  # podman-compose starts Partwarden without waiting for PostgreSQL's health: whether it had to
  # wait (the server listens only once its init scripts ran) depends on which came up first
  podman logs "$(podman ps --filter "label=io.podman.compose.project=$COMPOSE_PROJECT" \
    --filter label=com.docker.compose.service=partwarden --format '{{.Names}}')" 2>&1 \
    | grep -E "retrying in|Reached the database" | head -2 | cut -c1-220 \
    || echo "compose: Partwarden reached PostgreSQL at its first attempt"
  test "$(podman exec "$postgres" psql -U postgres -d meshhook -Atc "SELECT relkind FROM pg_class WHERE oid = 'workflow_events'::regclass")" = p
  await_http "127.0.0.1:$prom_port/api/v1/targets" '"job":"partwarden".*"health":"up"|"health":"up".*"job":"partwarden"' 60
  echo "compose: Prometheus scrapes partwarden:9470, target up"
  ! curl -sf "127.0.0.1:$prom_port/api/v1/alerts" | grep -c PartwardenRunwayShort >/dev/null
  # archives off the host: one --once with a retention, beside the daemon, retires the oldest
  # months into the s3 service's bucket (verified before each drop); --list-archives reads them back
  # (podman-compose run exits 0 whatever the container's exit code: the logs say how it went)
  compose run --rm --no-deps -e PARTWARDEN_TABLES_0_RETENTION=3m partwarden --once > "target/ci-compose-once-$RUN_ID.log" 2>&1
  grep -c "Maintenance pass converged" "target/ci-compose-once-$RUN_ID.log" >/dev/null \
    || { echo "compose: --once with retention 3m did not converge"; tail -30 "target/ci-compose-once-$RUN_ID.log"; return 1; }
  compose run --rm --no-deps partwarden --list-archives > "target/ci-compose-list-$RUN_ID.log" 2>&1
  local archived
  archived=$(grep -c "^public\.workflow_events .* s3://archives/partwarden/" "target/ci-compose-list-$RUN_ID.log" || true)
  [ "$archived" -ge 1 ] || { echo "compose: no archive listed in s3://archives/partwarden"; tail -20 "target/ci-compose-list-$RUN_ID.log"; return 1; }
  echo "compose: --once with retention 3m archived $archived partitions into the s3 service; --list-archives lists them"
  # the runway taken away: every partition that starts in the future dropped
  podman exec "$postgres" psql -U postgres -d meshhook -v ON_ERROR_STOP=1 -qc "
    DO \$\$ DECLARE p regclass; BEGIN
      FOR p IN SELECT c.oid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = 'workflow_events'::regclass
                 AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz > now()
      LOOP EXECUTE format('DROP TABLE %s', p); END LOOP;
    END \$\$"
  await_http "127.0.0.1:$prom_port/api/v1/alerts" '"alertname":"PartwardenRunwayShort".*"state":"firing"' 60
  echo "compose: future partitions dropped, Prometheus fires PartwardenRunwayShort ($(took $started) in all)"
  compose down -v >> "target/ci-compose-$RUN_ID.log" 2>&1
  podman network rm -f "${COMPOSE_PROJECT}_default" >/dev/null
  COMPOSE_PROJECT=""
}
