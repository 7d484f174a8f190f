#!/usr/bin/env bash
# Runs a command inside a private network namespace with its own loopback and a veth pair, v0 (10.99.0.1)
# and v1 (10.99.0.2), and no route out: Janus needs a non-loopback interface for ICE, and no packet of a test
# may leave the machine. The namespace disappears with the last process in it.
#
#   tests/e2e/netns.sh COMMAND [ARGS...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]"; exit 2; }

if [ "${ELABORATOR_IN_NETNS:-}" != 1 ]; then
  command -v unshare > /dev/null || { echo "netns.sh: unshare (util-linux) is missing"; exit 1; }
  export ELABORATOR_IN_NETNS=1
  if [ "$(id -u)" -eq 0 ]; then exec unshare --net -- "$0" "$@"; fi
  exec unshare --user --map-root-user --net -- "$0" "$@"
fi

ip link set lo up
# No IPv6 on the veth pair: its link-local addresses would finish duplicate address detection a second or so
# after the links come up, and Chromium aborts the requests it has in flight at such a change
# (ERR_NETWORK_CHANGED): the captions test, which loads its room page about then, failed so in 2 runs of 34.
ipv6_default=/proc/sys/net/ipv6/conf/default/disable_ipv6
if [ -e "$ipv6_default" ] && ! echo 1 2> /dev/null > "$ipv6_default"; then
  echo "netns.sh: cannot turn IPv6 off ($ipv6_default is read-only); waiting for its addresses instead"
fi
ip link add v0 type veth peer name v1
ip addr add 10.99.0.1/24 dev v0
ip addr add 10.99.0.2/24 dev v1
ip link set v0 up
ip link set v1 up
# Where IPv6 stayed on, its addresses become final before the command starts (at most 5 s).
for _ in $(seq 50); do
  [ -z "$(ip -6 addr show tentative)" ] && break
  sleep 0.1
done
if ip route get 8.8.8.8 > /dev/null 2>&1; then
  echo "netns.sh: the namespace has a route out; refusing to run"
  exit 1
fi
exec "$@"
