#!/usr/bin/env bash
# Plots the figures of an elaborator_benchmark run (its --json file) with gnuplot (Debian: gnuplot-nox):
#   latency-over-time.png   a 100 ms classify on a 30 fps stream: newest-only against keeping every frame
#   cpu-per-stream.png      CPU per 720p30 stream with face detection as the number of streams grows, and
#                           the sampled frames face detection had no time for
#
#   tests/benchmark/plot.sh benchmark.json OUT_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 benchmark.json OUT_DIR"; exit 2; }
json=$1
out=$2
command -v gnuplot > /dev/null || { echo "plot.sh: gnuplot is missing (apt-get install gnuplot-nox)"; exit 1; }
mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

# JSON to gnuplot's columns, with the standard library only.
python3 - "$json" "$data" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
out = sys.argv[2]
slow = report.get("newest_vs_every")
if slow:
    for policy in ("newest", "every"):
        with open(f"{out}/{policy}.dat", "w") as f:
            for w in slow[policy]["over_time"]:
                l = w["latency_ms"]
                f.write(f'{w["t"]} {l["p50"] / 1000} {l["p99"] / 1000}\n')
streams = report.get("streams")
if streams:
    with open(f"{out}/streams.dat", "w") as f:
        for step in streams["steps"]:
            f.write(f'{step["n"]} {step["cpu_percent_per_stream"]} {step["elaborator_cpu_percent"]} '
                    f'{1 if step["sustained"] else 0} {step.get("classify_dropped", 0)}\n')
PY

style='set terminal pngcairo size 900,500 font "sans,11"
set key left top
set grid'
if [ -f "$data/newest.dat" ]; then
  gnuplot <<GP
$style
set output "$out/latency-over-time.png"
set title "100 ms classify on a 30 fps stream: latency from first packet to result sent (p99 per 10 s)"
set xlabel "time (s)"
set ylabel "latency (s), log scale"
set logscale y
plot "$data/every.dat" using 1:3 with linespoints title "every frame (queue of 2000)", \
     "$data/newest.dat" using 1:3 with linespoints title "newest only (queue of 1)", \
     0.2 with lines dashtype 2 title "2 x classify"
GP
fi
if [ -f "$data/streams.dat" ]; then
  gnuplot <<GP
$style
set output "$out/cpu-per-stream.png"
set title "720p30 VP8 streams in one process, face detection on every 15th frame"
set xlabel "streams"
set ylabel "CPU (% of one core)"
set y2label "sampled frames dropped (newest-only)"
set y2tics
set ytics nomirror
set xtics 1
set style fill solid 0.3
plot "$data/streams.dat" using 1:5 axes x1y2 with boxes title "sampled frames not classified (right axis)", \
     "$data/streams.dat" using 1:2 with linespoints title "CPU per stream", \
     "$data/streams.dat" using 1:3 with linespoints title "CPU of the whole process"
GP
fi
ls "$out"/*.png
