"""Checks that every Kubernetes manifest in config/k8s parses and has the fields kubectl needs,
and that the probes point at the actuator's liveness and readiness groups."""
import pathlib
import sys

import yaml

problems = []
documents = 0
for path in sorted(pathlib.Path("config/k8s").glob("*.yaml")):
    for doc in yaml.safe_load_all(path.read_text()):
        if doc is None:
            continue
        documents += 1
        for field in ("apiVersion", "kind", "metadata"):
            if field not in doc:
                problems.append(f"{path}: a document lacks {field}")
        if doc.get("kind") in ("StatefulSet", "Deployment"):
            for c in doc["spec"]["template"]["spec"]["containers"]:
                if c["name"] == "partwarden":
                    if c["livenessProbe"]["httpGet"]["path"] != "/actuator/health/liveness":
                        problems.append(f"{path}: partwarden's liveness probe is not the liveness group")
                    if c["readinessProbe"]["httpGet"]["path"] != "/actuator/health/readiness":
                        problems.append(f"{path}: partwarden's readiness probe is not the readiness group")
        if doc.get("kind") == "CronJob":
            args = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0].get("args", [])
            if "--once" not in args:
                problems.append(f"{path}: the CronJob does not run --once")
print(f"{documents} Kubernetes documents parsed")
for p in problems:
    print("PROBLEM", p)
sys.exit(1 if problems or documents == 0 else 0)
