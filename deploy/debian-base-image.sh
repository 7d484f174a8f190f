#!/usr/bin/env bash
# Makes the Debian 12 base image that the Dockerfiles start FROM, for a machine with Podman but no container
# registry: a debootstrap'd minimal bookworm, imported as localhost/debian:bookworm and also tagged
# docker.io/library/debian:bookworm, so an unchanged `FROM debian:bookworm` resolves locally with
# `podman build --pull=never`. Machines that reach Docker Hub do not need this.
#
#   deploy/debian-base-image.sh [--force]     # needs root, debootstrap and podman; about 80 s
#
# Without --force it does nothing when the image exists already (it is a cache: CI keeps it between runs).
# The image's apt sources are this machine's Debian ones, so apt-get inside `podman build` uses the same mirror.
set -euo pipefail

image=localhost/debian:bookworm
if [ "${1:-}" != "--force" ] && podman image exists "$image"; then
  echo "debian-base-image: $image exists (--force makes it anew)"
  exit 0
fi

# This machine's Debian sources: deb822 (Debian 12's default) or the one-line format.
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
mirror=$(sed -n -e 's/^URIs: *\([^ ]*\).*/\1/p' -e 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' "$sources" | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

rootfs=$(mktemp -d /var/tmp/debian-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "debian-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 || { cat "$rootfs.log"; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"
# As small as Debian's own image: no package lists or downloaded packages; the host's sources instead of
# debootstrap's single line (bookworm-updates and security too).
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
rm -f "$rootfs/etc/apt/sources.list"
cp "$sources" "$rootfs/etc/apt/$( [ "${sources##*.}" = sources ] && echo sources.list.d/debian.sources || echo sources.list)"
tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$image" > /dev/null
podman tag "$image" docker.io/library/debian:bookworm
echo "debian-base-image: $image ($(podman image inspect --format '{{.Size}}' "$image") bytes)"
