#!/usr/bin/env bash
# Fetches the seed's model for examples/object_detector.cpp, which no Debian package ships: TensorFlow's SSD
# MobileNet v2 trained on COCO (ssd_mobilenet_v2_coco_2018_03_29), with OpenCV's text graph that lets cv::dnn
# read it. Every download is checked against a SHA-256 pinned below; a file whose sum differs is deleted,
# never used. Needs internet, curl, tar and sha256sum.
#
#   examples/models/fetch_ssd_mobilenet.sh [DIR]
#
# DIR is where object_detector looks by default: $ELABORATOR_MODELS, else
# ${XDG_DATA_HOME:-~/.local/share}/elaborator/models. The files land in DIR/ssd_mobilenet_v2_coco_2018_03_29/:
#   frozen_inference_graph.pb                  from the TensorFlow 1 detection model zoo's tarball
#   ssd_mobilenet_v2_coco_2018_03_29.pbtxt     from opencv_extra, testdata/dnn, tag 4.6.0 (Debian's OpenCV)
#   SHA256SUMS                                 the sums of both, for the next run to check them against
#
# Where the pinned sums come from. They could not be computed where this script was written (no internet
# there), so each is one that independent projects pin for the same URL:
#   tarball  187925923 bytes, b9380178...: Intel's Open Model Zoo (models/public/ssd_mobilenet_v2_coco/
#            model.yml), a Yocto recipe (meta-renesas), a Bazel http_archive and a Rust crate, all alike.
#   pbtxt    115601 bytes, cfbecf94...: the same Yocto recipe and another project, alike.
#   graph    69688296 bytes, 2a8d8a89...: several projects' pins and a Git LFS pointer, alike; OpenCV's
#            download_models.py gives its SHA-1, 35d571ac314f1d32ae678a857f87cc0ef6b220e8.
# The frozen graph is checked too, after it comes out of the tarball, and it can be fetched alone.
#
# Environment: TARBALL_URL and PBTXT_URL fetch from a mirror (https:// or file://) instead, GRAPH_URL fetches
# frozen_inference_graph.pb alone instead of the tarball; the pinned sums still decide. Nothing is written
# under DIR unless every file matched: a refusal leaves no file and no folder behind.
set -euo pipefail

name=ssd_mobilenet_v2_coco_2018_03_29
tarball_url=${TARBALL_URL:-"https://download.tensorflow.org/models/object_detection/$name.tar.gz"}
tarball_sha256=b9380178b2e35333f1a735e39745928488bdabeb9ed20bc6fa07af8172cb5adc
graph_url=${GRAPH_URL:-}
graph_sha256=2a8d8a89d695842e60d8c6d144181100555563e21acf2fa1e8f561fec5c3c6ad
pbtxt_url=${PBTXT_URL:-"https://raw.githubusercontent.com/opencv/opencv_extra/4.6.0/testdata/dnn/$name.pbtxt"}
pbtxt_sha256=cfbecf9447c384403ef5cf695f4cd0bb4840c1312938280350639a9a8e82d303

models=${1:-${ELABORATOR_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/elaborator/models}}
target="$models/$name"

for tool in curl tar sha256sum; do
  command -v "$tool" > /dev/null || { echo "fetch_ssd_mobilenet: needs $tool" >&2; exit 1; }
done

if [ -f "$target/SHA256SUMS" ] && (cd "$target" && sha256sum --quiet -c SHA256SUMS 2> /dev/null); then
  echo "fetch_ssd_mobilenet: $target already holds the checked model"
  exit 0
fi

# Everything is fetched and checked in a folder of its own, outside DIR; DIR is made only for what passed.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Refuses file $1 (from $2) unless its SHA-256 is $3.
check() {
  local file=$1 from=$2 expected=$3 actual
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$actual" != "$expected" ]; then
    echo "fetch_ssd_mobilenet: $from has SHA-256 $actual, not the pinned $expected: refusing it" >&2
    exit 1
  fi
}

# Downloads $1 to $2 and keeps it only if its SHA-256 is $3.
fetch() {
  local url=$1 file=$2 expected=$3
  echo "fetch_ssd_mobilenet: downloading $url"
  curl -fsSL --retry 3 --proto '=https,file' --output "$file" "$url"
  check "$file" "$url" "$expected"
}

if [ -n "$graph_url" ]; then
  mkdir -p "$work/$name"
  fetch "$graph_url" "$work/$name/frozen_inference_graph.pb" "$graph_sha256"
else
  fetch "$tarball_url" "$work/$name.tar.gz" "$tarball_sha256"
  tar -xzf "$work/$name.tar.gz" -C "$work" "$name/frozen_inference_graph.pb"
  check "$work/$name/frozen_inference_graph.pb" "the tarball's frozen_inference_graph.pb" "$graph_sha256"
fi
fetch "$pbtxt_url" "$work/$name.pbtxt" "$pbtxt_sha256"

mkdir -p "$target"
mv "$work/$name/frozen_inference_graph.pb" "$target/frozen_inference_graph.pb"
mv "$work/$name.pbtxt" "$target/$name.pbtxt"
(cd "$target" && sha256sum frozen_inference_graph.pb "$name.pbtxt" > SHA256SUMS)
echo "fetch_ssd_mobilenet: the model is in $target; object_detector finds it there by default"
