#!/usr/bin/env bash
# deploy/kubernetes/elaborator.yaml under `podman play kube`: Janus (its image, the project's config, two
# static mountpoints) and two elaborator Deployments, all on the host network. Megamind.avi goes as VP8 RTP
# to both elaborators and to both mountpoints' video ports; the elaborators' results must reach Janus:
# Janus's Streaming API must show both mountpoints' data media receiving all along, and the elaborators'
# logs must show their results (stdout) and datagrams sent to the data ports without a failure. Then every
# container must stop on SIGTERM with exit code 0.
#
#   tests/containers/play_kube.sh WORK_DIR
# The spec's ports are replaced by free ones (a shared machine may use 8088 or 5004); nothing else changes.
source "$(dirname "$0")/lib.sh"
work_dir "$1"
setup_podman
need_images "$elaborator_image" "$janus_image"
[ -r "$megamind" ] || fail "no $megamind (opencv-doc)"
here=$(cd "$(dirname "$0")" && pwd)

spec=$work/elaborator.yaml
http_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rtp_base=$((30000 + RANDOM % 300 * 100))
declare -A ports=([8088]=$http_port [20000-20999]=$rtp_base-$((rtp_base + 99)))
for port in 5004 5005 5006 5007 5100 5101 5102 5103; do ports[$port]=$(free_udp_port); done
mapping=$(for old in "${!ports[@]}"; do printf '%s=%s ' "$old" "${ports[$old]}"; done)
# Ports appear only in env values; each must be found, or the spec changed and this test with it.
python3 - "$source_dir/deploy/kubernetes/elaborator.yaml" "$spec" $mapping <<'PY'
import re, sys, yaml
source, target, mapping = sys.argv[1], sys.argv[2], dict(arg.split("=") for arg in sys.argv[3:])
documents, seen = list(yaml.safe_load_all(open(source))), set()
def replace(match):
    seen.add(match.group(0))
    return mapping[match.group(0)]
pattern = re.compile("|".join(sorted(map(re.escape, mapping), key=len, reverse=True)) + r"(?![0-9-])")
for document in documents:
    pod = document["spec"] if document["kind"] == "Pod" else document["spec"]["template"]["spec"]
    for container in pod["containers"]:
        for variable in container.get("env", []):
            variable["value"] = pattern.sub(replace, variable["value"])
missing = set(mapping) - seen
if missing:
    sys.exit(f"ports {sorted(missing)} are no longer in the spec's env values: update this test")
yaml.safe_dump_all(documents, open(target, "w"), sort_keys=False)
PY

podman play kube --down "$spec" > /dev/null 2>&1 || true  # left by a run that was killed
on_exit "podman play kube --down '$spec'"
log "podman play kube (Janus HTTP on $http_port, elaborators on ${ports[5004]} and ${ports[5006]})"
podman play kube --start "$spec" > "$work/play.log" 2>&1 || { cat "$work/play.log"; fail "podman play kube failed"; }

# The containers by name (kube play names them POD-CONTAINER; a Deployment's pod is DEPLOYMENT-pod-0).
containers() { podman ps -a --format '{{.Names}}' | grep -E '^(janus|elaborator-stream-[12]-pod-0)-' || true; }
janus=$(containers | grep '^janus-') || fail "no Janus container: $(cat "$work/play.log")"
elaborators=()
for stream in 1 2; do
  elaborators[stream]=$(containers | grep "^elaborator-stream-$stream-") || fail "no elaborator for stream $stream"
done

api=http://127.0.0.1:$http_port/janus
wait_for 30 curl -sf "$api/info" -o /dev/null || { podman logs "$janus" 2>&1 | tail -n 30; fail "Janus did not answer on $api"; }
# The elaborator's ready file (ELABORATOR_READY_FILE in the spec) names the port once it listens there.
listening() { podman exec "$1" cat /tmp/ready.json 2> /dev/null | grep -q "\"rtp_port\":$2[,}]"; }
for stream in 1 2; do
  port=${ports[$((5002 + 2 * stream))]}
  wait_for 30 listening "${elaborators[stream]}" "$port" ||
    { podman logs "${elaborators[stream]}" 2>&1 | tail -n 20; fail "${elaborators[stream]} does not listen on $port"; }
done

log "streaming $(basename "$megamind") to both elaborators and both mountpoints' video ports (about 11 s)"
stream_megamind "${ports[5004]}" "${ports[5006]}" "${ports[5100]}" "${ports[5102]}" &
sender=$!
on_exit "kill $sender"

# Janus's own account of the mountpoints, twice, 2 s apart, once results and video reach both: a data age
# under 1 s both times means results keep arriving (Janus counts a mountpoint's age from its creation until
# the first packet, so one young age alone could be a young Janus).
fresh() {
  local ages
  ages=$("$here/janus_mountpoints.py" "$api" 1 2 2> /dev/null) || return 1
  echo "$ages" | awk '$2 >= 0 && $2 < 1000 && $3 >= 0 && $3 < 1000 { n++ } END { exit n != 2 }'
}
wait_for 30 fresh || fail "no fresh video and results on both mountpoints within 30 s"
for sample in 1 2; do
  "$here/janus_mountpoints.py" "$api" 1 2 | tee "$work/mountpoints-$sample.txt"
  while read -r id video_age data_age; do
    [ "$data_age" -ge 0 ] && [ "$data_age" -lt 1000 ] || fail "mountpoint $id: no results for $data_age ms"
    [ "$video_age" -ge 0 ] && [ "$video_age" -lt 1000 ] || fail "mountpoint $id: no video for $video_age ms"
  done < "$work/mountpoints-$sample.txt"
  sleep 2  # the gap between the two samples is what is checked: results still arriving 2 s later
done
wait "$sender" || fail "the RTP sender failed"

log "stopping the pods (SIGTERM)"
for pod in janus elaborator-stream-1-pod-0 elaborator-stream-2-pod-0; do podman pod stop -t 10 "$pod" > /dev/null; done
for container in "$janus" "${elaborators[@]}"; do
  podman logs "$container" > "$work/$container.log" 2>&1
  expect_exit_code "$container" 0
done
for stream in 1 2; do
  logfile=$work/${elaborators[stream]}.log
  data_port=${ports[$((5099 + 2 * stream))]}
  grep -E "udp 127\.0\.0\.1:$data_port: [1-9][0-9]* written, 0 failed" "$logfile" ||
    fail "stream $stream's elaborator did not send its results to Janus's data port $data_port"
  "$here/check_results.py" "$logfile" --stream "stream-$stream" --min 30 --min-faces 15
done
! grep -F "[ERR]" "$work/$janus.log" || fail "Janus logged errors"
log "passed"
