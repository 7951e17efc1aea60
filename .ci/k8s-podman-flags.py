"""Prints, one per line, the `podman run` flags that run a container as a Kubernetes manifest runs
it, read from the manifest itself so that CI's run cannot drift from it: user and group
(runAsUser, runAsNonRoot, fsGroup), read-only root, dropped capabilities, no privilege
escalation, the memory limit, the environment (with $(VAR) references resolved as the kubelet
does), emptyDir volumes as tmpfs, claimed volumes as named podman volumes, and the arguments.

Usage: k8s-podman-flags.py MANIFEST CONTAINER [--set NAME=VALUE]... [--volume-prefix P] [--args]
  --set          a value the manifest takes from elsewhere (a Secret): POSTGRES_DB=..., ...
  --volume-prefix  names the podman volumes P<claim> (one run's own volumes)
  --args         print the container's args instead of the flags
"""
import re
import sys

import yaml

UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "K": 10**3, "M": 10**6, "G": 10**9}


def pod_spec(doc):
    kind = doc.get("kind")
    if kind in ("StatefulSet", "Deployment", "DaemonSet", "ReplicaSet"):
        return doc["spec"]["template"]["spec"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind == "Job":
        return doc["spec"]["template"]["spec"]
    if kind == "Pod":
        return doc["spec"]
    return None


def bytes_of(quantity):
    m = re.fullmatch(r"(\d+)([KMG]i?)?", str(quantity))
    if not m:
        sys.exit(f"cannot read the quantity {quantity!r}")
    return int(m.group(1)) * UNITS.get(m.group(2) or "", 1)


def main(argv):
    manifest, name = argv[0], argv[1]
    given, prefix, want_args = {}, "", False
    rest = iter(argv[2:])
    for a in rest:
        if a == "--set":
            k, _, v = next(rest).partition("=")
            given[k] = v
        elif a == "--volume-prefix":
            prefix = next(rest)
        elif a == "--args":
            want_args = True
        else:
            sys.exit(f"unknown argument {a}")

    for doc in yaml.safe_load_all(open(manifest)):
        spec = pod_spec(doc or {})
        for c in (spec or {}).get("containers", []):
            if c["name"] == name:
                return flags(spec, c, given, prefix) if not want_args else c.get("args", [])
    sys.exit(f"{manifest}: no container {name}")


def flags(spec, c, given, prefix):
    out = []
    pod_sec = spec.get("securityContext", {})
    sec = {**pod_sec, **c.get("securityContext", {})}
    handled = set()

    def take(key):
        handled.add(key)
        return sec.get(key)

    user = take("runAsUser")
    if take("runAsNonRoot") and not user:
        sys.exit("runAsNonRoot without runAsUser: the image's user would have to be checked")
    if user is not None:
        out += ["--user", str(user)]
    if take("fsGroup") is not None:
        out += ["--group-add", str(sec["fsGroup"])]
    take("fsGroupChangePolicy")  # podman volumes are fresh: nothing to change
    if take("readOnlyRootFilesystem"):
        # no tmpfs of podman's own on /tmp, /run, /var/tmp: only the manifest's volumes are writable
        out += ["--read-only", "--read-only-tmpfs=false"]
    if take("allowPrivilegeEscalation") is False:
        out += ["--security-opt", "no-new-privileges"]
    caps = take("capabilities") or {}
    for cap in caps.get("drop", []):
        out += ["--cap-drop", cap]
    for cap in caps.get("add", []):
        out += ["--cap-add", cap]
    unknown = set(sec) - handled
    if unknown:
        sys.exit(f"securityContext fields this script does not model: {sorted(unknown)}")

    limits = c.get("resources", {}).get("limits", {})
    if "memory" in limits:
        memory = bytes_of(limits["memory"])
        # no swap beyond the limit, as on a kubelet
        out += ["--memory", str(memory), "--memory-swap", str(memory)]

    env = dict(given)
    for e in c.get("env", []):
        if "value" in e:
            # $(VAR) names a variable defined before it, else stays as written
            env[e["name"]] = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                                    lambda m: env.get(m.group(1), m.group(0)), str(e["value"]))
        elif e["name"] not in env:
            sys.exit(f"{e['name']} comes from {list(e['valueFrom'])[0]}: give it with --set {e['name']}=...")
        out += ["--env", f"{e['name']}={env[e['name']]}"]

    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        v = volumes.get(m["name"])
        if v is not None and "emptyDir" in v:
            out += ["--tmpfs", f"{m['mountPath']}:rw,nosuid,nodev"]
        elif v is None:  # a volumeClaimTemplate: persistent, as a named volume
            out += ["--volume", f"{prefix}{m['name']}:{m['mountPath']}"]
        else:
            sys.exit(f"volume {m['name']}: only emptyDir and claims are modelled")
    return out


if __name__ == "__main__":
    for line in main(sys.argv[1:]):
        print(line)
