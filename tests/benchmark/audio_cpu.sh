#!/usr/bin/env bash
# CPU of one audio stream per audio example (docs/performance.md, "Audio"): each program receives Debian's
# five LibriVox sentences, joined (24.8 s), sent in real time as RTP over loopback by gst-launch-1.0, and
# its CPU is read from /proc/PID/stat before and after.
#   tests/benchmark/audio_cpu.sh BUILD_DIR        (needs pocketsphinx-testdata, and captions built)
set -euo pipefail
build=${1:?usage: audio_cpu.sh BUILD_DIR}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$work"' EXIT
speech=$work/speech.wav
sentences=()
for f in /usr/share/pocketsphinx/test/data/librivox/*.wav; do sentences+=(filesrc "location=$f" ! wavparse ! c.); done
gst-launch-1.0 -q concat name=c ! audioconvert ! wavenc ! filesink location="$speech" "${sentences[@]}"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure PROGRAM CODEC PAYLOADER: the program on one stream of CODEC, sent through PAYLOADER.
measure() {
  local program=$1 codec=$2 payloader
  read -ra payloader <<< "$3"
  "$build/examples/$program" --rtp-port 0 --codec "$codec" --ready-file "$work/ready" --stats-interval 0 \
    --jsonl "$work/results.jsonl" 2> "$work/log" &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done  # bounded: 10 s
  local port ticks_before ticks_after start end
  port=$(python3 -c "import json; print(json.load(open('$work/ready'))['streams'][0]['rtp_port'])")
  ticks_before=$(cpu_ticks "$pid"); start=$(date +%s.%N)
  gst-launch-1.0 -q filesrc location="$speech" ! wavparse ! audioconvert ! audioresample ! "${payloader[@]}" ! \
    udpsink host=127.0.0.1 port="$port" sync=true
  ticks_after=$(cpu_ticks "$pid"); end=$(date +%s.%N)
  kill -INT "$pid"; wait "$pid" || true; pid=
  python3 -c "print('$program $codec: %.2f %% of a core over %.1f s, %d results' % (
    100 * ($ticks_after - $ticks_before) / $(getconf CLK_TCK) / ($end - $start), $end - $start,
    sum(1 for _ in open('$work/results.jsonl'))))"
  rm -f "$work/ready" "$work/results.jsonl"
}

measure sound_level opus "opusenc ! rtpopuspay pt=111"
measure sound_level pcmu "audio/x-raw,rate=8000 ! mulawenc ! rtppcmupay pt=0"
[ -x "$build/examples/captions" ] && measure captions opus "opusenc ! rtpopuspay pt=111"
