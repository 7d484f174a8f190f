# Shared by the container tests (sourced): Podman set up for this machine, a work folder, skips, waits.
# Every test that starts a container or process registers its cleanup with `on_exit`; all run on any exit.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
elaborator_image=localhost/elaborator:latest
janus_image=localhost/elaborator-janus:latest
megamind=/usr/share/doc/opencv-doc/examples/data/Megamind.avi

# ctest reports exit code 77 as skipped (SKIP_RETURN_CODE): only for a machine where Podman cannot run.
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }
log() { echo "[$(date +%T)] $*"; }

cleanups=()
on_exit() { cleanups+=("$1"); }
run_cleanups() {
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" > /dev/null 2>&1 || true; done
}
trap run_cleanups EXIT
trap 'exit 130' INT TERM

# The test's own folder (argument 1, under the build tree), emptied first.
work_dir() {
  work=${1:?usage: $0 WORK_DIR}
  rm -rf "$work"
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
}

# Podman with a containers.conf of our own (shared/facts/containers.md): runc, because crun refuses a cgroup
# v1/v2 hybrid; ulimits that a container may set here (it cannot raise them: 20000 files and 32768
# processes are known to work, and no more than this shell's hard limits).
setup_podman() {
  command -v podman > /dev/null || skip "podman is not installed (.ci/install-dependencies installs it)"
  local nofile=20000 nproc=32768 runtime=""
  [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge $nofile ] || nofile=$(ulimit -Hn)
  [ "$(ulimit -Hu)" = unlimited ] || [ "$(ulimit -Hu)" -ge $nproc ] || nproc=$(ulimit -Hu)
  command -v runc > /dev/null && runtime='runtime = "runc"'
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\n%s\n' \
    "$nofile" "$nofile" "$nproc" "$nproc" "$runtime" > "$work/containers.conf"
  export CONTAINERS_CONF=$work/containers.conf
  podman info > "$work/podman-info.txt" 2>&1 || skip "podman cannot run here: $(tail -n 1 "$work/podman-info.txt")"
}

need_images() {
  local image
  for image in "$@"; do
    podman image exists "$image" || fail "no image $image: the test that builds it failed or did not run"
  done
}

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Waits up to $1 seconds until what the command after it prints has not changed for 1 s: for counts with no
# known last value, such as the results still arriving after a sender ends.
wait_steady() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds)) last="" now steady_since=$SECONDS
  while [ $SECONDS -lt "$deadline" ]; do
    now=$("$@")
    if [ "$now" != "$last" ]; then last=$now; steady_since=$SECONDS; fi
    [ $((SECONDS - steady_since)) -ge 1 ] && [ -n "$now" ] && return 0
    sleep 0.2
  done
  return 1
}

# A UDP port nobody listens on now (the container tests use the host's network).
free_udp_port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A container's exit code and, for the log, its state; fails unless it is $2.
expect_exit_code() {
  local container=$1 expected=$2 code
  code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
  [ "$code" = "$expected" ] || { podman logs "$container" 2>&1 | tail -n 30; fail "$container exited with $code, not $expected"; }
}

# Megamind.avi once, in real time (about 11 s), as VP8 RTP to every 127.0.0.1:PORT given; keyframes every
# second so that a Janus mountpoint's viewers can start too.
stream_megamind() {
  local clients
  clients=$(printf '127.0.0.1:%s,' "$@")
  gst-launch-1.0 -q filesrc location="$megamind" ! decodebin ! videoconvert ! vp8enc deadline=1 keyframe-max-dist=30 \
    ! rtpvp8pay pt=96 ssrc=1 ! multiudpsink clients="${clients%,}" sync=true
}
