#!/usr/bin/env bash
# The whole loop on one machine: a private Janus (the project's own config), a Streaming mountpoint, the
# face_detector elaborator, and a viewer page that shows the video with the faces boxed.
#
#   examples/janus_demo.sh            # Debian's Megamind.avi, looping, is the "external RTP source"
#   examples/janus_demo.sh --camera   # your browser's camera, through a VideoRoom and rtp_forward
#
# It prints the page to open and runs until Ctrl-C. Environment: BUILD_DIR (default build), JANUS_HTTP_PORT
# (8088), PAGE_PORT (8000), DEMO_SECONDS (stop by itself after that many seconds; for tests).
# Browsers reach Janus over WebRTC on this machine's network interfaces (never loopback): open the page on
# this machine, or replace 127.0.0.1 in its address with this machine's IP address.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$(pwd)

camera=false
[ "${1:-}" = "--camera" ] && camera=true
build=${BUILD_DIR:-build}
http_port=${JANUS_HTTP_PORT:-8088}
page_port=${PAGE_PORT:-8000}
video=/usr/share/doc/opencv-doc/examples/data/Megamind.avi
room=1234
mountpoint=1

for need in /usr/bin/janus /usr/share/javascript/janus-gateway/janus.js /usr/share/javascript/webrtc-adapter/adapter.js "$video"; do
  [ -e "$need" ] || { echo "missing $need: run .ci/install-dependencies"; exit 1; }
done

echo "== building face_detector and elaborator_janus in $build"
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$(nproc)" --target face_detector elaborator_janus > /dev/null

work=$(mktemp -d /tmp/elaborator-demo.XXXXXX)
pids=()
# Newest first, each one gone before the next: the elaborator sends its last results while Janus still
# listens for them.
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2> /dev/null || true
    wait "${pids[i]}" 2> /dev/null || true
  done
  echo "== stopped; logs were in $work (removed)"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

echo "== Janus on 127.0.0.1:$http_port (config and logs in $work)"
examples/janus/make-config "$work/janus" --http-port "$http_port" --rtp-ports 20000-20999 --room "$room" > /dev/null
janus -C "$work/janus/janus.jcfg" -F "$work/janus" -L "$work/janus.log" -N -o > /dev/null 2>&1 &
pids+=($!)
janus_url="http://127.0.0.1:$http_port/janus"
for _ in $(seq 50); do curl -sf "$janus_url/info" > /dev/null && break; sleep 0.2; done
curl -sf "$janus_url/info" > /dev/null || { echo "Janus did not start: see $work/janus.log"; exit 1; }

tool() { "$build/examples/elaborator_janus" "$1" --janus "$janus_url" --secrets-file "$work/janus/secrets.env" "${@:2}"; }
ports=$(tool create-mountpoint --id "$mountpoint")
video_port=$(sed 's/.*"video_port":\([0-9]*\).*/\1/' <<< "$ports")
data_port=$(sed 's/.*"data_port":\([0-9]*\).*/\1/' <<< "$ports")

# The elaborator: OS-picked ports, results to the mountpoint's datachannel and to a file.
# Its ready file says which ports it listens on, once it does.
"$build/examples/face_detector" --rtp-port 0 --rtcp-port 0 --udp "127.0.0.1:$data_port" --name faces \
  --stream-id camera --jsonl "$work/results.jsonl" --ready-file "$work/ready.json" 2> >(tee "$work/elaborator.log" >&2) &
pids+=($!)
for _ in $(seq 100); do [ -f "$work/ready.json" ] && break; sleep 0.1; done
[ -f "$work/ready.json" ] || { echo "face_detector did not start: see $work/elaborator.log"; exit 1; }
read -r elaborator_port elaborator_rtcp < <(python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["streams"][0]
print(s["rtp_port"], s["rtcp_port"])' "$work/ready.json")

# The pages, with Debian's janus.js and adapter.js beside them.
mkdir -p "$work/www"
ln -s "$source_dir"/examples/viewer/* /usr/share/javascript/janus-gateway/janus.js \
  /usr/share/javascript/webrtc-adapter/adapter.js "$work/www/"
python3 -m http.server "$page_port" --bind 127.0.0.1 --directory "$work/www" > "$work/pages.log" 2>&1 &
pids+=($!)
query="janus=$janus_url&room=$room&mountpoint=$mountpoint"

if $camera; then
  echo
  echo "== 1. open http://127.0.0.1:$page_port/publish.html?$query and allow the camera"
  echo "== 2. open http://127.0.0.1:$page_port/index.html?$query to see the results"
  echo
  # Once a camera publishes: one forward for the viewers' video, one for the elaborator (with RTCP, so it
  # can ask the browser for keyframes).
  tool forward --room "$room" --wait 3600 --port "$video_port" > /dev/null
  tool forward --room "$room" --port "$elaborator_port" --rtcp-port "$elaborator_rtcp" > /dev/null
else
  echo "== streaming $(basename "$video") (looping) to the mountpoint and the elaborator"
  (
    # One pass of the file per run; a fixed SSRC keeps receivers from seeing a new sender each time. Stopped,
    # the loop stops its gst-launch too (in the background, so that `wait` lets the trap run at once).
    sender=
    trap 'kill "$sender" 2> /dev/null; exit 0' TERM
    while true; do
      gst-launch-1.0 -q filesrc location="$video" ! decodebin ! videoconvert ! vp8enc deadline=1 keyframe-max-dist=30 \
        ! rtpvp8pay pt=96 ssrc=1 ! multiudpsink clients="127.0.0.1:$video_port,127.0.0.1:$elaborator_port" sync=true \
        > /dev/null 2>&1 &
      sender=$!
      wait "$sender" || exit 1
    done
  ) &
  pids+=($!)
  echo
  echo "== open http://127.0.0.1:$page_port/index.html?$query"
  echo
fi

echo "== running; Ctrl-C stops everything"
if [ -n "${DEMO_SECONDS:-}" ]; then sleep "$DEMO_SECONDS"; else while true; do sleep 3600; done; fi
