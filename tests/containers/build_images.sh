#!/usr/bin/env bash
# Builds the Debian base image (debootstrap; kept between runs as a cache), the elaborator image (Dockerfile)
# and the Janus image (deploy/janus/Dockerfile), with Podman and no registry. Prints the time each took and
# the images' sizes; the other container tests use these images.
#
#   tests/containers/build_images.sh WORK_DIR
source "$(dirname "$0")/lib.sh"
work_dir "$1"
setup_podman

timed() {
  local what=$1 logfile=$2; shift 2
  local start=$SECONDS
  "$@" > "$logfile" 2>&1 || { tail -n 40 "$logfile"; fail "$what (full log: $logfile)"; }
  log "$what: $((SECONDS - start)) s"
}

timed "Debian 12 base image (debootstrap; nothing to do when cached)" "$work/base.log" \
  "$source_dir/deploy/debian-base-image.sh"
# --pull=never: FROM debian:bookworm is the local base image; nothing may come from a registry. -j 2: the
# CI machine has two cores.
timed "elaborator image" "$work/elaborator-build.log" \
  podman build --pull=never --build-arg JOBS=2 -t "$elaborator_image" -f "$source_dir/Dockerfile" "$source_dir"
timed "Janus image" "$work/janus-build.log" \
  podman build --pull=never -t "$janus_image" -f "$source_dir/deploy/janus/Dockerfile" "$source_dir"

for image in localhost/debian:bookworm "$elaborator_image" "$janus_image"; do
  log "$image: $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}')"
done

# What the images promise: not root, tini as PID 1, the programs on the PATH.
for image in "$elaborator_image" "$janus_image"; do
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  [[ $user =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || fail "$image runs as '$user', not a numeric non-root user"
  [ "$(podman image inspect --format '{{index .Config.Entrypoint 0}}' "$image")" = /usr/bin/tini ] ||
    fail "$image's entrypoint is not tini"
done
id=$(podman run --rm --pull=never --network=none "$elaborator_image" id -u)
[ "$id" != 0 ] || fail "a container of $elaborator_image runs as root"
for program in face_detector dark_frames object_detector face_recognizer emotion_client elaborator_janus; do
  podman run --rm --pull=never --network=none "$elaborator_image" "$program" --help > "$work/help.txt" 2>&1 ||
    { cat "$work/help.txt"; fail "$program --help failed in the image"; }
done
log "images built; they run as uid $id, under tini"
