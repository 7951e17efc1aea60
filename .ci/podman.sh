# Sourced: podman (daemonless, as root) with this repository's settings, and the tools the image
# steps use beside it. Installs what is missing from Debian's archive.
export CONTAINERS_CONF="$PWD/.ci/containers.conf"
podman_ready() {
  # runc: crun refuses these machines' cgroups (.ci/containers.conf); netavark needs iptables
  # for its bridge (a Recommends, which --no-install-recommends leaves out) and aardvark-dns for
  # the compose network's names; mmdebstrap makes the stand-ins' root file system
  local wanted=(podman runc netavark aardvark-dns iptables uidmap mmdebstrap podman-compose prometheus python3-yaml)
  local missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -c 'install ok installed' >/dev/null || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  podman --version
}
