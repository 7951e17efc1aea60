#!/usr/bin/env bash
# Stand-ins for the public images the Dockerfile and docker-compose.yml name, made here under
# those very names, because CI machines reach no image registry (only Debian's archive and Maven
# Central). One Debian bookworm root file system (mmdebstrap) is imported once; each stand-in is
# that plus what its original puts where its users look: a Java runtime at /opt/java/openjdk
# (Temurin's layout; made with jlink from a JDK on this machine), Maven 3.9 from Maven Central,
# Debian's PostgreSQL 15 and Prometheus, S3Proxy's jar from Maven Central. The base trusts this
# machine's CA certificates, so that a build stage reaches Maven Central as the host does.
# Usage: .ci/stand-in-images.sh [maven|jre|postgres|prometheus|s3proxy]...   (default: all; existing ones are kept)
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/.ci/containers.conf}

BASE=localhost/ci-bookworm:base
MAVEN_VERSION=3.9.9
declare -A NAME=(
  [maven]=docker.io/library/maven:3.9-eclipse-temurin-17
  [jre]=docker.io/library/eclipse-temurin:25-jre
  [postgres]=docker.io/library/postgres:15
  [prometheus]=docker.io/prom/prometheus:v2.53.0
  [s3proxy]=docker.io/andrewgaul/s3proxy:2.6.0
)
S3PROXY_JAR=org/gaul/s3proxy/2.6.0/s3proxy-2.6.0-jar-with-dependencies.jar
# JDKs installed on CI machines: Debian's 17 (with jmods) and Temurin's 25
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

base() {
  podman image exists "$BASE" && return
  local started=$SECONDS
  # minbase: apt, dpkg, passwd (useradd) and the shell, as in the originals' Debian/Ubuntu bases
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --customize-hook='sync-in /usr/local/share/ca-certificates /usr/local/share/ca-certificates' \
    --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1' \
    bookworm "$work/bookworm.tar" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  podman import --quiet --change 'CMD ["/bin/bash"]' "$work/bookworm.tar" "$BASE" >/dev/null
  rm -f "$work/bookworm.tar"
  echo "$BASE: bookworm by mmdebstrap, $((SECONDS - started)) s"
}

# A runtime made by jlink from $1 with the modules $2 (a JRE: everything but the development
# tools; a JDK: everything), trusting what this machine trusts.
java_runtime() {
  local jdk=$1 out=$2 modules=$3
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --generate-cds-archive --output "$out" >/dev/null 2>&1
  cp /etc/ssl/certs/java/cacerts "$out/lib/security/cacerts"
}

jre_modules() {
  "$1/bin/java" --list-modules | sed 's/@.*//' \
    | grep -Ev '^jdk\.(compiler|javadoc|jdeps|jlink|jpackage|jshell|jartool|jconsole|hotspot\.agent|editpad|jstatd|internal\.(ed|le|opt)|incubator\..*)$' \
    | paste -sd, -
}

stand_in() {
  local which=$1 started=$SECONDS ctx=$work/$1
  podman image exists "${NAME[$which]}" && return
  mkdir -p "$ctx"
  case $which in
    maven)
      java_runtime "$JDK17" "$ctx/java" "$("$JDK17/bin/java" --list-modules | sed 's/@.*//' | paste -sd, -)"
      curl -fsSL "https://repo1.maven.org/maven2/org/apache/maven/apache-maven/$MAVEN_VERSION/apache-maven-$MAVEN_VERSION-bin.tar.gz" \
        | tar -xz -C "$ctx" && mv "$ctx/apache-maven-$MAVEN_VERSION" "$ctx/maven" ;;
    jre) java_runtime "$JDK25" "$ctx/java" "$(jre_modules "$JDK25")" ;;
    postgres) cp .ci/stand-ins/postgres-entrypoint.sh "$ctx/" ;;
    s3proxy)
      java_runtime "$JDK17" "$ctx/java" "$(jre_modules "$JDK17")"
      cp .ci/stand-ins/run-docker-container.sh "$ctx/"
      # the build's own copy where Maven has it, else from Maven Central
      if [ -f "$HOME/.m2/repository/$S3PROXY_JAR" ]; then cp "$HOME/.m2/repository/$S3PROXY_JAR" "$ctx/s3proxy"
      else curl -fsSL -o "$ctx/s3proxy" "https://repo1.maven.org/maven2/$S3PROXY_JAR"; fi ;;
  esac
  local file=.ci/stand-ins/$which.Containerfile
  [ "$which" = jre ] && file=.ci/stand-ins/temurin.Containerfile
  podman build --quiet --pull=never -f "$file" -t "${NAME[$which]}" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "${NAME[$which]}: $((SECONDS - started)) s"
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(maven jre postgres prometheus s3proxy)
base
# side by side: jlink is CPU, apt is network and disk
pids=()
for which in "${wanted[@]}"; do
  [ -n "${NAME[$which]:-}" ] || { echo "no such stand-in: $which" >&2; exit 2; }
  stand_in "$which" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
