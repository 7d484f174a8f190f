#!/usr/bin/env bash
# examples/models/fetch_ssd_mobilenet.sh must never keep a file whose SHA-256 is not the pinned one. Offline,
# the test serves it stand-ins (file:// mirrors): a tarball with a frozen_inference_graph.pb that is not the
# real one, a text graph that is not either, and the graph alone (GRAPH_URL). The script must refuse each, say
# why, and leave nothing behind: no file, and no folder it made.
set -euo pipefail
script=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

name=ssd_mobilenet_v2_coco_2018_03_29
mkdir -p "$work/mirror/$name"
echo "not the weights" > "$work/mirror/$name/frozen_inference_graph.pb"
tar -czf "$work/mirror/$name.tar.gz" -C "$work/mirror" "$name"
echo "not the graph" > "$work/mirror/$name.pbtxt"

# Runs the script with the mirror variables given; it must exit 1 naming the pinned sum $1, and leave nothing.
refused() {
  local pinned=$1 status=0
  shift
  env "$@" PBTXT_URL="file://$work/mirror/$name.pbtxt" "$script" "$work/models/sub" > "$work/out" 2>&1 || status=$?
  cat "$work/out"
  [ "$status" -eq 1 ] || { echo "FAIL: exit status $status, expected 1"; exit 1; }
  grep -q "not the pinned $pinned: refusing it" "$work/out" || { echo "FAIL: no refusal naming the pinned sum"; exit 1; }
  [ ! -e "$work/models" ] || { echo "FAIL: left behind: $(find "$work/models")"; exit 1; }
}

refused b9380178b2e35333f1a735e39745928488bdabeb9ed20bc6fa07af8172cb5adc TARBALL_URL="file://$work/mirror/$name.tar.gz"
refused 2a8d8a89d695842e60d8c6d144181100555563e21acf2fa1e8f561fec5c3c6ad \
  GRAPH_URL="file://$work/mirror/$name/frozen_inference_graph.pb"
echo "PASS: a tarball and a graph with the wrong SHA-256 were refused, and no file or folder was left"
