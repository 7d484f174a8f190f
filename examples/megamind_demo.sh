#!/usr/bin/env bash
# The main job on a built-in input: Debian's Megamind.avi (opencv-doc, 720x528, faces in 230 of 270 frames)
# is encoded to VP8 and streamed as RTP over 127.0.0.1 into the face_detector example, which finds the faces
# live and writes one JSON result per frame. Installs the Debian packages it needs (sudo) and builds the
# example first if needed.
#
#   examples/megamind_demo.sh [results.jsonl]
#
# Environment: BUILD_DIR (default build), VIDEO (default Megamind.avi), CODEC (vp8 or h264, default vp8).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build}
video=${VIDEO:-/usr/share/doc/opencv-doc/examples/data/Megamind.avi}
codec=${CODEC:-vp8}
results=${1:-megamind-results.jsonl}
.ci/install-dependencies demo
[ -r "$video" ] || { echo "no $video: install Debian's opencv-doc"; exit 1; }

case $codec in
  vp8)  encoder="vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96" ;;
  h264) encoder="x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! rtph264pay pt=96 config-interval=-1" ;;
  *) echo "CODEC must be vp8 or h264"; exit 2 ;;
esac

echo "== building face_detector in $build"
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$(nproc)" --target face_detector > /dev/null

ready=$(mktemp -u /tmp/elaborator-ready.XXXXXX)
detector_pid=""
trap '[ -n "$detector_pid" ] && kill "$detector_pid" 2>/dev/null; rm -f "$ready"' EXIT

rm -f "$results"
# Port 0: the OS picks a free port; the detector's ready file says which, once it listens.
"$build/examples/face_detector" --rtp-port 0 --codec "$codec" --jsonl "$results" --stats-interval 2 --ready-file "$ready" &
detector_pid=$!
for _ in $(seq 100); do [ -f "$ready" ] && break; sleep 0.1; done
[ -f "$ready" ] || { echo "face_detector did not start"; exit 1; }
port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["streams"][0]["rtp_port"])' "$ready")

echo "== streaming $(basename "$video") as $codec RTP to 127.0.0.1:$port, in real time (about 11 s)"
gst-launch-1.0 -q filesrc location="$video" ! decodebin ! videoconvert ! $encoder ! udpsink host=127.0.0.1 port="$port" sync=true
sleep 1
kill -INT "$detector_pid"
wait "$detector_pid"
detector_pid=""

total=$(wc -l < "$results")
with_faces=$(grep -c '"label":"face"' "$results" || true)
echo "== $total results in $results, $with_faces of them with faces; the first with a face:"
grep -m 1 '"label":"face"' "$results"
