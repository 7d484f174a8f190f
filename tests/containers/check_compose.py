#!/usr/bin/env python3
"""The Compose file must run what the Kubernetes spec runs: the same services (a Pod or Deployment of the spec
is the service of the same name), images, commands, host networking and environment. And podman-compose must
accept it: its dry run must produce one `podman run` per service, on the host's network.

  check_compose.py deploy/compose.yaml deploy/kubernetes/elaborator.yaml
"""
import shlex
import subprocess
import sys

import yaml


def main():
    compose_file, kube_file = sys.argv[1], sys.argv[2]
    services = yaml.safe_load(open(compose_file))["services"]
    workloads = {}
    for document in yaml.safe_load_all(open(kube_file)):
        pod = document["spec"] if document["kind"] == "Pod" else document["spec"]["template"]["spec"]
        [container] = pod["containers"]  # one container per pod: one process per stream
        workloads[document["metadata"]["name"]] = (pod, container)

    problems = []
    if set(services) != set(workloads):
        problems.append(f"services {sorted(services)} != the spec's pods {sorted(workloads)}")
    for name in sorted(set(services) & set(workloads)):
        service, (pod, container) = services[name], workloads[name]
        kube_env = {v["name"]: v["value"] for v in container.get("env", [])}
        checks = [("image", service.get("image"), container["image"]),
                  ("command", service.get("command"), container.get("args")),
                  ("host network", service.get("network_mode") == "host", pod.get("hostNetwork", False)),
                  ("environment", service.get("environment", {}), kube_env)]
        problems += [f"{name}: {what} {a!r} in Compose, {b!r} in Kubernetes" for what, a, b in checks if a != b]

    dry_run = subprocess.run(["podman-compose", "--dry-run", "-f", compose_file, "up", "-d", "--no-build"],
                             capture_output=True, text=True, timeout=60)
    runs = [shlex.split(line) for line in dry_run.stdout.splitlines() if line.startswith("podman run ")]
    if dry_run.returncode != 0 or len(runs) != len(services):
        problems.append(f"podman-compose dry run: exit {dry_run.returncode}, {len(runs)} containers:\n"
                        f"{dry_run.stdout}{dry_run.stderr}")
    for run in runs:
        if "--network" not in run or run[run.index("--network") + 1] != "host":
            problems.append(f"podman-compose would not use the host's network: {shlex.join(run)}")

    if problems:
        sys.exit("\n".join(problems))
    print(f"{compose_file}: the {len(services)} services of {kube_file}, and podman-compose reads it")


if __name__ == "__main__":
    main()
