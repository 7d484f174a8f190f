#!/usr/bin/env bash
# object_detector in the elaborator image, as docs/deployment.md runs it, without the SSD MobileNet weights
# (no Debian package ships them, and there is no internet here):
#   1. with nothing at /models it must exit 1 with the "no model" error naming the file it looked for and the
#      script that fetches it: not a labels error, not a crash;
#   2. a volume laid out as fetch_ssd_mobilenet.sh leaves it, holding stand-ins, is found where the program
#      looks, and the class names the image ships at --labels' default load: it gets as far as reading the
#      stand-in graph, which it refuses;
#   3. a real SSD from a volume (the painted head of tests/data) with the default class names starts, listens
#      and stops on SIGTERM with exit code 0;
#   4. fetch_ssd_mobilenet.sh is on the image's PATH with what it needs (curl, sha256sum, tar), and refuses a
#      stand-in served from a file:// mirror, leaving nothing in the volume.
# Every container has --network=none but 3 (the host's, as deployed) and a bound: a few seconds in all.
#
#   tests/containers/object_detector_image.sh WORK_DIR
source "$(dirname "$0")/lib.sh"
work_dir "$1"
setup_podman
need_images "$elaborator_image"

container=elaborator-test-object-detector
podman rm -f -t 0 "$container" > /dev/null 2>&1 || true  # left by a run that was killed
on_exit "podman rm -f -t 0 $container"

name=ssd_mobilenet_v2_coco_2018_03_29
labels=/usr/share/doc/opencv-doc/examples/data/dnn/object_detection_classes_coco.txt

# Runs the image once with the arguments given (podman run options, then the command), at most 60 s; its
# output goes to $work/$1.log and its exit code to $status.
run_once() {
  local log=$work/$1.log; shift
  status=0
  timeout 60 podman run --name "$container" --rm --pull=never "$@" > "$log" 2>&1 || status=$?
  podman rm -f -t 0 "$container" > /dev/null 2>&1 || true
}

# $1's log must hold the text $2, or the test fails showing it.
expect_in_log() {
  grep -qF -- "$2" "$work/$1.log" || { cat "$work/$1.log"; fail "$1: no '$2' in its output"; }
}

# What a program that did not crash and did not fail on its class names prints (1 and 2).
expect_no_labels_error_or_crash() {
  if grep -E "labels:|terminate called|Aborted|Segmentation fault|core dumped|what\(\)" "$work/$1.log"; then
    cat "$work/$1.log"
    fail "$1: a labels error or a crash"
  fi
}

# 1. No model.
log "object_detector with nothing at /models"
run_once no-model --network=none "$elaborator_image" object_detector --rtp-port 0
[ "$status" -eq 1 ] || { cat "$work/no-model.log"; fail "no model: exit code $status, not 1"; }
expect_in_log no-model "object detector: no model file at '/models/$name/frozen_inference_graph.pb' (model)."
expect_in_log no-model "fetch them once with examples/models/fetch_ssd_mobilenet.sh"
expect_in_log no-model "the container image has it on its PATH and takes the model in a volume: docs/deployment.md"
expect_no_labels_error_or_crash no-model
log "exit code 1: $(grep -o "no model file at '[^']*'" "$work/no-model.log")"

# The class names at --labels' default are Debian's file (the project ships a copy of it).
shipped=$(podman run --rm --pull=never --network=none "$elaborator_image" sha256sum "$labels" | cut -d' ' -f1)
[ "$shipped" = "$(sha256sum < "$source_dir/examples/models/object_detection_classes_coco.txt" | cut -d' ' -f1)" ] ||
  fail "the image's $labels is not examples/models/object_detection_classes_coco.txt"
if [ -r "$labels" ]; then
  [ "$shipped" = "$(sha256sum < "$labels" | cut -d' ' -f1)" ] || fail "the image's $labels differs from Debian's"
fi

# 2. A volume laid out as the fetch script leaves it, holding stand-ins, readable by the container's uid 10001
# whatever this shell's umask.
models=$work/models
mkdir -p "$models/$name"
echo "not the weights" > "$models/$name/frozen_inference_graph.pb"
echo "not the graph" > "$models/$name/$name.pbtxt"
chmod -R a+rX "$models"
log "object_detector with stand-ins in a volume at /models"
run_once stand-ins --network=none -v "$models:/models:ro" "$elaborator_image" object_detector --rtp-port 0
[ "$status" -eq 1 ] || { cat "$work/stand-ins.log"; fail "stand-ins: exit code $status, not 1"; }
expect_in_log stand-ins "object detector: cannot load '/models/$name/frozen_inference_graph.pb'"
expect_no_labels_error_or_crash stand-ins

# 3. A real SSD from a volume, with the image's default class names: it must start and stop cleanly.
log "object_detector with tests/data/painted_ssd.prototxt from a volume, the default class names"
podman run -d --name "$container" --pull=never --network=host -e ELABORATOR_BIND=127.0.0.1 \
  -v "$source_dir/tests/data:/models:ro" "$elaborator_image" \
  object_detector --model /models/painted_ssd.prototxt --config "" --channel-order bgr --scale 0.00392156862745098 \
  --rtp-port 0 --ready-file /tmp/ready.json > /dev/null
ready() { podman exec "$container" test -s /tmp/ready.json 2> /dev/null; }
wait_for 30 ready || { podman logs "$container" 2>&1 | tail -n 30; fail "object_detector with the painted SSD did not start"; }
podman stop -t 10 "$container" > /dev/null
podman logs "$container" > "$work/painted.log" 2>&1
expect_exit_code "$container" 0
expect_in_log painted "summary of stream/object_detector"
podman rm -f -t 0 "$container" > /dev/null 2>&1 || true

# 4. The fetch script in the image, from a file:// mirror (no network): it must run there and refuse the
# stand-in, leaving the volume as it was. The volume is writable by the container's uid.
mkdir -p "$work/mirror" "$work/fetched"
echo "not the weights" > "$work/mirror/frozen_inference_graph.pb"
chmod -R a+rX "$work/mirror"
chmod a+rwx "$work/fetched"
log "fetch_ssd_mobilenet.sh in the image, from a file:// mirror"
run_once fetch --network=none -v "$work/mirror:/mirror:ro" -v "$work/fetched:/models" \
  -e GRAPH_URL=file:///mirror/frozen_inference_graph.pb "$elaborator_image" fetch_ssd_mobilenet.sh
[ "$status" -eq 1 ] || { cat "$work/fetch.log"; fail "fetch: exit code $status, not 1"; }
expect_in_log fetch "not the pinned 2a8d8a89d695842e60d8c6d144181100555563e21acf2fa1e8f561fec5c3c6ad: refusing it"
[ -z "$(ls -A "$work/fetched")" ] || fail "fetch_ssd_mobilenet.sh left $(ls -A "$work/fetched") in the volume"

log "passed: no model exits 1 with the 'no model' error; the volume's path, the class names and the fetch script work in the image"
