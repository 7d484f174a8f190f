#!/usr/bin/env bash
# Grows the corpora by what fuzzing found, and no more: adds to fuzz/corpus/<target> the inputs of
# build-fuzz/corpus/<target> (what fuzz/run.sh found) that reach code of the project the corpus does not
# (libFuzzer -merge=1 into the corpus: what is there stays, named seeds keep their names, each input added is
# named by its SHA-1). CI replays every corpus in every build, so a corpus should hold what covers the code,
# not every input that was new to the fuzzer.
#   fuzz/merge.sh [TARGET...]        default: every target that has finds
# For this the targets are built (into build-fuzz/merge) with fuzzing coverage of the project's code only:
# not of the libraries compiled into them (fuzz/third_party.ignorelist), at -O0 so that a branch of the
# source is an edge of its own, and merged without hit counts (-use_counters=0). Then fuzz/coverage.sh says
# what the corpora reach, and ctest -L fuzz how long they take to replay.
# FOUND=DIR takes the finds from DIR/<target> instead; JOBS (default 2) compile jobs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
found=${FOUND:-$source_dir/build-fuzz/corpus}
# shellcheck source=fuzz/engine.sh
source "$here/engine.sh"  # target_options
work=$source_dir/build-fuzz/merge  # not build.sh's build: other flags
[ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ] && { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$found"/*/; do [ -d "$dir" ] && targets+=("$(basename "$dir")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "merge.sh: nothing found in $found (run fuzz/run.sh first)" >&2; exit 2; }

mkdir -p "$work"
build_targets=()
for name in "${targets[@]}"; do build_targets+=(--target "fuzz_$name"); done
flags="-g -O0 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
{
  cmake -S "$source_dir" -B "$work" -DCMAKE_CXX_COMPILER=clang++ -DELABORATOR_BUILD_FUZZERS=ON \
    -DELABORATOR_BUILD_TESTS=OFF -DELABORATOR_BUILD_EXAMPLES=OFF \
    -DELABORATOR_FUZZ_FLAGS="$flags -fsanitize-coverage-ignorelist=$here/third_party.ignorelist" &&
  cmake --build "$work" -j "${JOBS:-2}" "${build_targets[@]}"
} > "$work.log" 2>&1 || { tail -n 40 "$work.log"; echo "merge.sh: the build failed" >&2; exit 1; }

files_in() { find "$1" -maxdepth 1 -type f | wc -l; }
for name in "${targets[@]}"; do
  [ -d "$found/$name" ] || { echo "merge.sh: no finds for $name in $found/$name" >&2; exit 2; }
  before=$(files_in "$here/corpus/$name")
  mapfile -t options < <(target_options "$here/fuzz_$name.options")  # as it is fuzzed (rtp_pipeline: no leak check)
  "$work/fuzz/fuzz_$name" -merge=1 -use_counters=0 -timeout=25 -rss_limit_mb=4096 "${options[@]}" \
    "$here/corpus/$name" "$found/$name" > "$work/$name.log" 2>&1 ||
    { tail -n 20 "$work/$name.log"; echo "merge.sh: merging $name failed" >&2; exit 1; }
  added=$(( $(files_in "$here/corpus/$name") - before ))
  echo "merge $name: $before inputs, $added added of $(files_in "$found/$name") found"
done
