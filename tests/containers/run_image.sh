#!/usr/bin/env bash
# The elaborator image as one stream's container: `podman run` on the host network, Megamind.avi streamed
# into it as VP8 RTP over 127.0.0.1, its results received back as UDP datagrams and checked; then SIGTERM
# (podman stop) must end it at once with exit code 0.
#
#   tests/containers/run_image.sh WORK_DIR
source "$(dirname "$0")/lib.sh"
work_dir "$1"
setup_podman
need_images "$elaborator_image"
[ -r "$megamind" ] || fail "no $megamind (opencv-doc)"

container=elaborator-test-run
podman rm -f -t 0 "$container" > /dev/null 2>&1 || true  # left by a run that was killed
on_exit "podman rm -f -t 0 $container"

# The receiving end of --udp: every datagram becomes one line of results.jsonl. It stops by itself.
python3 -u - "$work/results.port" "$work/results.jsonl" 90 <<'PY' &
import os, socket, sys, time
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".new", "w") as f:
    f.write(str(sock.getsockname()[1]))
os.rename(sys.argv[1] + ".new", sys.argv[1])
deadline = time.monotonic() + float(sys.argv[3])
with open(sys.argv[2], "w") as out:
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            out.write(sock.recv(65536).decode() + "\n")
            out.flush()
        except socket.timeout:
            break
PY
on_exit "kill $!"
wait_for 10 test -s "$work/results.port" || fail "the result receiver did not start"
results_port=$(cat "$work/results.port")

# Configuration as a deployment gives it: the port on the command line (0: the OS picks one, the log says
# which), the rest in the environment.
log "podman run $elaborator_image face_detector, results to 127.0.0.1:$results_port"
podman run -d --name "$container" --pull=never --network=host \
  -e ELABORATOR_BIND=127.0.0.1 -e ELABORATOR_UDP="127.0.0.1:$results_port" -e ELABORATOR_STREAM_ID=megamind \
  -e ELABORATOR_STATS_INTERVAL=2 \
  "$elaborator_image" face_detector --rtp-port 0 --ready-file /tmp/ready.json > /dev/null
# The ready file inside the container names the port the OS picked, once the elaborator listens.
port_in_ready_file() {
  podman exec "$container" cat /tmp/ready.json 2> /dev/null | sed -n 's/.*"rtp_port":\([0-9]*\).*/\1/p'
}
listening() { [ -n "$(port_in_ready_file)" ]; }
wait_for 30 listening || { podman logs "$container" 2>&1 | tail; fail "the elaborator did not start"; }
port=$(port_in_ready_file)

log "streaming $(basename "$megamind") as VP8 RTP to 127.0.0.1:$port (about 11 s)"
stream_megamind "$port"
results_so_far() { wc -l < "$work/results.jsonl" 2> /dev/null || echo 0; }
wait_steady 30 results_so_far || fail "results kept coming 30 s after the sender ended"

# SIGTERM to tini, passed on to face_detector: it must stop at once (well before podman's 10 s SIGKILL).
start=$SECONDS
podman stop -t 10 "$container" > /dev/null
stop_seconds=$((SECONDS - start))
podman logs "$container" > "$work/container.log" 2>&1
expect_exit_code "$container" 0
[ "$stop_seconds" -le 3 ] || fail "podman stop took $stop_seconds s: SIGTERM did not stop the elaborator"
grep -q "summary of megamind/face_detector" "$work/container.log" || fail "no summary in the container's log"
grep -E "udp 127\.0\.0\.1:$results_port: [1-9][0-9]* written, 0 failed" "$work/container.log" ||
  fail "the elaborator's summary does not show results sent to 127.0.0.1:$results_port"
"$(dirname "$0")/check_results.py" "$work/results.jsonl" --stream megamind --min 100 --min-faces 50
log "passed: stopped in $stop_seconds s with exit code 0"
