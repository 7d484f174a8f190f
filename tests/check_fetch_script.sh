#!/usr/bin/env bash
# examples/models/fetch_ssd_mobilenet.sh must never keep a file whose SHA-256 is not the pinned one. Offline,
# the test serves it stand-ins (file:// mirrors): a tarball with a frozen_inference_graph.pb that is not the
# real one, and a text graph that is. The script must refuse, say why, and leave no model behind.
set -euo pipefail
script=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

name=ssd_mobilenet_v2_coco_2018_03_29
mkdir -p "$work/mirror/$name"
echo "not the weights" > "$work/mirror/$name/frozen_inference_graph.pb"
tar -czf "$work/mirror/$name.tar.gz" -C "$work/mirror" "$name"
echo "not the graph" > "$work/mirror/$name.pbtxt"

status=0
TARBALL_URL="file://$work/mirror/$name.tar.gz" PBTXT_URL="file://$work/mirror/$name.pbtxt" \
  "$script" "$work/models" > "$work/out" 2>&1 || status=$?
cat "$work/out"
[ "$status" -eq 1 ] || { echo "FAIL: exit status $status, expected 1"; exit 1; }
grep -q "not the pinned b9380178b2e35333f1a735e39745928488bdabeb9ed20bc6fa07af8172cb5adc: refusing it" "$work/out" \
  || { echo "FAIL: no refusal naming the pinned sum"; exit 1; }
leftovers=$(find "$work/models" -type f)
[ -z "$leftovers" ] || { echo "FAIL: files kept: $leftovers"; exit 1; }
echo "PASS: a tarball with the wrong SHA-256 was refused and nothing was kept"
