#!/usr/bin/env bash
# How much of the project's own code the fuzz corpora reach: builds every fuzz target with clang's
# source-based coverage and the replay driver (replay_main.cpp, no libFuzzer), replays each target's corpus
# (fuzz/corpus/<target>), and prints with llvm-cov
#   - per target, line and branch coverage of the project's code compiled into it (OpenCV, GStreamer and the
#     rest of /usr are not counted, nor tests/ and fuzz/ themselves), and of all targets together;
#   - per file that parses untrusted input (the list below, explained in docs/fuzzing.md), line and branch
#     coverage by all targets together;
#   - an HTML report, in BUILD/html/index.html;
# and ends with one line, the lines of those files that the corpora reach:
#   fuzz coverage: N % of lines
#
#   fuzz/coverage.sh                     the corpora in fuzz/corpus
#   EXTRA_CORPUS=build-fuzz/corpus fuzz/coverage.sh
#                                        the same plus what fuzz/run.sh found (DIR/<target>), to see what a
#                                        merge into fuzz/corpus would add
# BUILD_DIR (default build-coverage) is where it builds; JOBS (default 2) how many compile jobs it runs.
# Needs clang++ and the llvm-profdata and llvm-cov of its version (Debian: clang, llvm-14).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
build=${BUILD_DIR:-$source_dir/build-coverage}
jobs=${JOBS:-2}
extra=${EXTRA_CORPUS:-}
[ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ] && { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; }
[ $# -eq 0 ] || { echo "coverage.sh: takes no arguments (--help says what it does)" >&2; exit 2; }

# The files that parse untrusted input: every byte they read comes from the network, a file someone else may
# have written, or a person's configuration. docs/fuzzing.md says why each is here and what is not reached.
untrusted_input_files=(
  # RTP and RTCP, from anyone who reaches a stream's ports
  include/elaborator/detail/rtp_header.hpp
  include/elaborator/detail/rtcp.hpp
  include/elaborator/detail/rtp_packet_check.hpp
  # configuration: a streams file, the command line (and its environment), API bodies, the secrets file
  include/elaborator/config.hpp
  include/elaborator/detail/config_object.hpp
  include/elaborator/detail/stream_config_parsing.hpp
  include/elaborator/detail/room_config_parsing.hpp
  include/elaborator/kinds.hpp
  include/elaborator/endpoint.hpp
  include/elaborator/cli.hpp
  include/elaborator/http/secret.hpp
  # control API requests: what the server checks before reading one, then the request itself
  include/elaborator/control.hpp
  include/elaborator/detail/control_api.hpp
  # Janus's answers and events
  include/elaborator/detail/janus_answer.hpp
  include/elaborator/detail/janus_plugin_answers.hpp
  include/elaborator/detail/janus_publisher_events.hpp
  include/elaborator/janus/session.hpp
  include/elaborator/janus/streaming.hpp
  include/elaborator/janus/videoroom.hpp
  include/elaborator/janus/events.hpp
  # cloud emotion services' answers
  examples/emotion_services.hpp
  # model and training files: LBPH models, training images, an SSD detector's labels and output
  examples/opencv_yaml.hpp
  examples/lbph_model_file.hpp
  examples/ssd_output.hpp
  include/elaborator/vision/face_crop.hpp
  include/elaborator/vision/haar_face_detector.hpp
  # results sized for a datagram, with detections from user code and remote services
  include/elaborator/detail/datagram_fit.hpp
)

# The profile format is clang's own: the tools must be of its version.
version=$(clang++ --version 2> /dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
profdata=llvm-profdata-$version
llvm_cov=llvm-cov-$version
for tool in clang++ "$profdata" "$llvm_cov"; do
  command -v "$tool" > /dev/null || { echo "coverage.sh: $tool is missing (Debian: apt-get install clang llvm-$version)" >&2; exit 1; }
done

# The targets as fuzz/CMakeLists.txt lists them: set(ELABORATOR_FUZZ_TARGETS a b\n c).
read -ra targets <<< "$(sed -n '/^set(ELABORATOR_FUZZ_TARGETS/,/)/p' "$here/CMakeLists.txt" |
                        sed 's/set(ELABORATOR_FUZZ_TARGETS//; s/)//' | xargs)"
build_targets=()
for name in "${targets[@]}"; do build_targets+=(--target "replay_$name"); done
coverage_flags="-fprofile-instr-generate -fcoverage-mapping"
mkdir -p "$build"
echo "coverage.sh: building ${#targets[@]} targets with coverage in $build (log: $build/build.log)"
{
  cmake -S "$source_dir" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= \
    -DCMAKE_CXX_FLAGS="$coverage_flags" -DCMAKE_EXE_LINKER_FLAGS="$coverage_flags" \
    -DELABORATOR_BUILD_TESTS=ON -DELABORATOR_BUILD_EXAMPLES=OFF -DELABORATOR_BUILD_BENCHMARKS=OFF &&
  cmake --build "$build" -j "$jobs" "${build_targets[@]}"
} > "$build/build.log" 2>&1 || { tail -n 40 "$build/build.log"; echo "coverage.sh: the build failed" >&2; exit 1; }

# Counts only the project's own code: not /usr (OpenCV, GStreamer, the standard library...), not the tests,
# not the fuzz targets and the replay driver.
ignore="^/usr/|^$source_dir/(tests|fuzz)/|^$build/"
profiles=$build/profiles
rm -rf "$profiles" && mkdir -p "$profiles"

# A row of an llvm-cov report (the last columns: lines, missed, cover, branches, missed, cover) as
# "NAME  lines L % of N, branches B % of M".
file_row() {
  awk -v name="$1" '{ printf "%-53s lines %6s of %4d, branches %6s of %4d\n", name, $(NF-3), $(NF-5), $NF, $(NF-2) }'
}

# Prints the TOTAL line of an llvm-cov report as "lines L % (covered/all), branches B %".
summary() {
  awk '$1 == "TOTAL" { printf "lines %6s (%d/%d), branches %6s\n", $(NF-3), $(NF-5) - $(NF-4), $(NF-5), $NF }'
}

echo "== per target: of the project's code compiled into it, what its corpus runs (replay_main.cpp)"
objects=()
for name in "${targets[@]}"; do
  binary=$build/fuzz/replay_$name
  corpora=("$here/corpus/$name")
  [ -n "$extra" ] && [ -d "$extra/$name" ] && corpora+=("$extra/$name")
  LLVM_PROFILE_FILE="$profiles/$name-%p.profraw" "$binary" "${corpora[@]}" > "$profiles/$name.log" 2>&1 ||
    { cat "$profiles/$name.log"; echo "coverage.sh: replaying $name failed" >&2; exit 1; }
  "$profdata" merge -sparse "$profiles/$name"-*.profraw -o "$profiles/$name.profdata"
  printf '%-18s %5s inputs  %s\n' "$name" "$(sed -n 's/^replayed \([0-9]*\) inputs$/\1/p' "$profiles/$name.log")" \
    "$("$llvm_cov" report -instr-profile="$profiles/$name.profdata" "$binary" -ignore-filename-regex="$ignore" | summary)"
  # llvm-cov takes the first binary as an argument and the others with -object.
  [ ${#objects[@]} -eq 0 ] && objects=("$binary") || objects+=(-object "$binary")
done
# Merged from different binaries: a header's inline function has the same hash in each, so its counts add
# up. A binary that includes a function but never calls it maps it as unused (hash 0); llvm-cov then takes
# the mapping of a binary that calls it and warns about "mismatched data", which is expected here.
"$profdata" merge -sparse "$profiles"/*.profraw -o "$profiles/all.profdata"
report=(-instr-profile="$profiles/all.profdata" "${objects[@]}" -ignore-filename-regex="$ignore")
cov() { "$llvm_cov" "$@" 2> >(sed 's/\x1b\[[0-9;]*m//g' | grep -v -e "functions have mismatched data" -e '^$' >&2); }
printf '%-18s %5s         %s\n' "all targets" "" "$(cov report "${report[@]}" | summary)"

echo "== per file that parses untrusted input: all targets together"
files=()
for file in "${untrusted_input_files[@]}"; do files+=("$source_dir/$file"); done
cov report "${report[@]}" "${files[@]}" > "$profiles/untrusted.txt"
for file in "${untrusted_input_files[@]}"; do
  # A file no target includes has no coverage data at all: that is a missing target, not 0 lines.
  # (llvm-cov shows the names without the prefix they all share)
  row=$(awk -v f="/$file" 'substr("/" $1, length($1) + 2 - length(f)) == f' "$profiles/untrusted.txt")
  [ -n "$row" ] || { echo "coverage.sh: no target reaches $file: it needs one" >&2; exit 1; }
  file_row "$file" <<< "$row"
done
grep '^TOTAL' "$profiles/untrusted.txt" | file_row "all of them"

cov show "${report[@]}" -format=html -output-dir="$build/html" -show-branches=count -show-line-counts-or-regions > /dev/null
echo "HTML report: $build/html/index.html"
awk '$1 == "TOTAL" { sub("%", "", $(NF-3)); printf "fuzz coverage: %s %% of lines\n", $(NF-3) }' "$profiles/untrusted.txt"
