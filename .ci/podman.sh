# Sourced: podman (daemonless, as root) with this repository's settings, and the tools the image
# steps use beside it. Installs what is missing from Debian's archive.
export CONTAINERS_CONF="$PWD/.ci/containers.conf"
podman_ready() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" aardvark-dns netavark uidmap >/dev/null
  fi
  podman --version
}
