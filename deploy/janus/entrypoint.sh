#!/bin/bash
# Makes the Janus config folder from the environment with the project's make-config, then runs Janus (as the
# container's main process, under tini). Arguments are passed on to janus.
#
#   JANUS_HTTP_PORT   8088           the HTTP API's port
#   JANUS_HTTP_IP     127.0.0.1      the HTTP API's address (0.0.0.0: every interface)
#   JANUS_RTP_PORTS   20000-20999    WebRTC media and mountpoints made at run time
#   JANUS_ROOM        1234           the VideoRoom that cameras publish to
#   JANUS_FIR_FREQ    0              seconds between keyframe requests to publishers (0: elaborators ask)
#   JANUS_ICE_INTERFACE              the interface browsers reach Janus on (empty: every non-loopback one)
#   JANUS_MOUNTPOINTS                static Streaming mountpoints, "ID:VIDEO_PORT:DATA_PORT[:CODEC] ...":
#                                    one per stream; its elaborator sends results to DATA_PORT
#   JANUS_MOUNTPOINT_IP 127.0.0.1    where they listen (0.0.0.0: elaborators on other machines may send)
#   JANUS_EVENTS_URL                 post VideoRoom events there (an elaborator's /v1/janus/events): elaborators
#                                    following the room learn at once who publishes
#   JANUS_ADMIN_KEY, JANUS_ROOM_SECRET, JANUS_EVENTS_SECRET, JANUS_MOUNTPOINT_SECRET   secrets (from a
#                                    Secret, not the spec); unset: random ones, mountpoints without secret
set -euo pipefail

args=(--http-port "${JANUS_HTTP_PORT:-8088}" --http-ip "${JANUS_HTTP_IP:-127.0.0.1}"
      --rtp-ports "${JANUS_RTP_PORTS:-20000-20999}" --room "${JANUS_ROOM:-1234}" --fir-freq "${JANUS_FIR_FREQ:-0}")
[ -n "${JANUS_ICE_INTERFACE:-}" ] && args+=(--ice-interface "$JANUS_ICE_INTERFACE")
for mountpoint in ${JANUS_MOUNTPOINTS:-}; do args+=(--mountpoint "$mountpoint"); done
args+=(--mountpoint-ip "${JANUS_MOUNTPOINT_IP:-127.0.0.1}")
[ -n "${JANUS_EVENTS_URL:-}" ] && args+=(--events "$JANUS_EVENTS_URL")

[ -n "${JANUS_ADMIN_KEY:-}" ] && [ -n "${JANUS_ROOM_SECRET:-}" ] ||
  echo "janus-entrypoint: JANUS_ADMIN_KEY or JANUS_ROOM_SECRET not set: random ones are in $HOME/config/secrets.env"
config=$(/usr/local/share/elaborator/janus/make-config "$HOME/config" "${args[@]}")
echo "janus-entrypoint: HTTP API on ${JANUS_HTTP_IP:-127.0.0.1}:${JANUS_HTTP_PORT:-8088}, mountpoints: ${JANUS_MOUNTPOINTS:-none}"
exec janus -C "$config/janus.jcfg" -F "$config" -o "$@"
