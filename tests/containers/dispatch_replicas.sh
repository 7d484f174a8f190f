#!/usr/bin/env bash
# deploy/kubernetes/dispatch.yaml under `podman play kube`, inside a network namespace of its own
# (tests/e2e/netns.sh: Janus needs a non-loopback interface for the browsers' ICE, and the spec's fixed ports
# are free there): Janus with its event handler and two elaborator replicas. Four Chromium fake cameras join
# the room (dispatch_replicas.mjs): every publisher must be analysed by exactly the replica its hash names,
# the room page must show all four with results, and one leaving must be taken down by its replica alone.
# Janus must log no error meanwhile. Then every container must stop on SIGTERM with exit code 0, the
# replicas first, leaving nothing in Janus.
#
#   tests/containers/dispatch_replicas.sh WORK_DIR
# The spec changes only in what a cluster gives and this test must: the Secret's values, and Janus's ICE
# interface (the namespace's v0).
source "$(dirname "$0")/lib.sh"
[ "${ELABORATOR_IN_NETNS:-}" = 1 ] || exec "$source_dir/tests/e2e/netns.sh" "$0" "$@"
work_dir "$1"
setup_podman
need_images "$elaborator_image" "$janus_image"
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$source_dir/tests/e2e/node_modules/playwright-core" ] || skip "no playwright-core: npm ci in tests/e2e"
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (Debian package chromium)"

spec=$work/dispatch.yaml
secret() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }
python3 - "$source_dir/deploy/kubernetes/dispatch.yaml" "$spec" "$(secret)" "$(secret)" "$(secret)" <<'PY'
import sys, yaml
source, target, *values = sys.argv[1:]
secret = dict(zip(["admin-key", "room-secret", "events-secret"], values))
documents = list(yaml.safe_load_all(open(source)))
for document in documents:
    pod = document["spec"] if document["kind"] == "Pod" else document["spec"]["template"]["spec"]
    for container in pod["containers"]:
        for variable in container.get("env", []):
            reference = variable.pop("valueFrom", {}).get("secretKeyRef")
            if reference:
                variable["value"] = secret[reference["key"]]
        if container["name"] == "janus":
            container["env"].append({"name": "JANUS_ICE_INTERFACE", "value": "v0"})
yaml.safe_dump_all(documents, open(target, "w"), sort_keys=False)
PY
# Ports and room as the spec has them (its header comment says so too).
janus_url=http://127.0.0.1:8088/janus
controls=(8090 8091)

on_exit "podman play kube --down '$spec'"
log "podman play kube: Janus and two elaborator replicas"
podman play kube --start "$spec" > "$work/play.log" 2>&1 || { cat "$work/play.log"; fail "podman play kube failed"; }
pods=(janus elaborator-replica-0-pod-0 elaborator-replica-1-pod-0)
containers() { podman ps -a --format '{{.Names}}' | grep -E "^($(IFS='|'; echo "${pods[*]}"))-" || true; }
save_logs() { local c; for c in $(containers); do podman logs "$c" > "$work/$c.log" 2>&1; done; }
on_exit save_logs  # before the pods go (cleanups run last first)

wait_for 30 curl -sf "$janus_url/info" -o /dev/null || { podman logs "$(containers | grep '^janus-')" 2>&1 | tail -n 30; fail "Janus did not answer"; }
for port in "${controls[@]}"; do
  wait_for 30 curl -sf "http://127.0.0.1:$port/v1/janus" -o /dev/null ||
    { save_logs; tail -n 20 "$work"/elaborator-*.log; fail "no replica's control API on $port"; }
done

node "$here/dispatch_replicas.mjs" --out "$work" --janus "$janus_url" --controls "$(IFS=,; echo "${controls[*]}")"

# Janus's log while everything ran (once the replicas stop, its event handler has nowhere to post).
podman logs "$(containers | grep '^janus-')" > "$work/janus-while-running.log" 2>&1
! grep -F "[ERR]" "$work/janus-while-running.log" || fail "Janus logged errors"
log "stopping the replicas, then Janus (SIGTERM)"
for pod in elaborator-replica-0-pod-0 elaborator-replica-1-pod-0; do podman pod stop -t 10 "$pod" > /dev/null; done
"$here/janus_mountpoints.py" "$janus_url" --list > "$work/mountpoints-left.txt"
! grep -E "^[0-9]+ elaborator/" "$work/mountpoints-left.txt" || fail "the replicas left their mountpoints in Janus"
podman pod stop -t 10 janus > /dev/null
save_logs
for container in $(containers); do expect_exit_code "$container" 0; done
log "passed"
