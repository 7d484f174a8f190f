#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer.
#   Locally:   fuzz/build.sh        clang++, AddressSanitizer + UndefinedBehaviorSanitizer, into build-fuzz/out
#   OSS-Fuzz:  the same script; it honours CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE and OUT, and leaves
#              each target's seeds beside it as <target>_seed_corpus.zip, and its options as <target>.options
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
export CC=${CC:-clang}
export CXX=${CXX:-clang++}
out=${OUT:-$source_dir/build-fuzz/out}
work=${WORK:-$source_dir/build-fuzz}/cmake
mkdir -p "$work"  # its log goes beside it, before cmake would create it

if [ -n "${LIB_FUZZING_ENGINE:-}" ]; then
  engine=$LIB_FUZZING_ENGINE
  flags=""  # the sanitizers and coverage flags are in CXXFLAGS
else
  engine="-fsanitize=fuzzer"
  flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
fi

cmake -S "$source_dir" -B "$work" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="${CXXFLAGS:-}" \
  -DELABORATOR_BUILD_FUZZERS=ON -DELABORATOR_BUILD_TESTS=OFF -DELABORATOR_BUILD_EXAMPLES=OFF \
  -DELABORATOR_FUZZ_ENGINE="$engine" -DELABORATOR_FUZZ_FLAGS="$flags" > "$work.log" 2>&1 || { cat "$work.log"; exit 1; }
cmake --build "$work" -j "$(nproc)"

mkdir -p "$out"
for target in "$work"/fuzz/fuzz_*; do
  name=$(basename "$target")
  cp "$target" "$out/"
  if [ -f "$here/$name.options" ]; then cp "$here/$name.options" "$out/"; fi
  seeds="$here/corpus/${name#fuzz_}"
  if [ -d "$seeds" ] && command -v zip > /dev/null; then
    (cd "$seeds" && zip -q -r "$out/${name}_seed_corpus.zip" .)
  fi
done
echo "fuzz targets in $out: $(cd "$out" && find . -maxdepth 1 -name 'fuzz_*' -perm -u+x -printf '%f ')"
