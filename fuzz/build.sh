#!/usr/bin/env bash
# Builds the fuzz targets, every one or those named, for libFuzzer or AFL++.
#   fuzz/build.sh [TARGET...]                      libFuzzer: clang++, ASan + UBSan, into build-fuzz/out
#   FUZZING_ENGINE=afl fuzz/build.sh [TARGET...]   AFL++: afl-clang-fast++ (clang's edge coverage), ASan +
#                                                  UBSan, AFL++'s libAFLDriver.a as the engine, into build-fuzz-afl/out
#   Inside OSS-Fuzz, through fuzz/oss-fuzz/build.sh: LIB_FUZZING_ENGINE is set, and then the compiler, the
#   sanitizer and coverage flags, the engine and the directories are OSS-Fuzz's (CXX, CXXFLAGS,
#   LIB_FUZZING_ENGINE, OUT, WORK), whichever engine and sanitizer it builds for.
# Beside each target it leaves what OSS-Fuzz picks up by name: fuzz_<target>_seed_corpus.zip (fuzz/corpus/<target>),
# fuzz_<target>.dict (made from fuzz/dict/ as fuzz/CMakeLists.txt says) and fuzz_<target>.options if it has one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
# shellcheck source=fuzz/engine.sh
source "$here/engine.sh"
command -v zip > /dev/null || { echo "build.sh: zip is needed for the seed corpora (apt-get install zip)" >&2; exit 1; }
for name in "$@"; do
  [ -f "$here/fuzz_$name.cpp" ] || { echo "build.sh: no fuzz target '$name' (fuzz/fuzz_$name.cpp)" >&2; exit 2; }
done

if [ -n "${LIB_FUZZING_ENGINE:-}" ]; then
  out=${OUT:?OSS-Fuzz sets OUT with LIB_FUZZING_ENGINE}
  work=${WORK:?OSS-Fuzz sets WORK with LIB_FUZZING_ENGINE}/cmake
  compiler=$CXX
  link_engine=$LIB_FUZZING_ENGINE
  # OSS-Fuzz compiles C++ against its own libc++ (-stdlib=libc++ in CXXFLAGS), but OpenCV and fmt come from the
  # distribution, built against libstdc++: their std::string and std::vector are not libc++'s, and nothing would
  # link. The sanitizers and the coverage instrumentation do not depend on the standard library.
  flags=${CXXFLAGS//-stdlib=libc++/}
else
  work=$build/cmake
  flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
  if [ "$engine" = libfuzzer ]; then
    compiler=clang++
    flags+=" -fsanitize=fuzzer-no-link"
    link_engine=-fsanitize=fuzzer
  else
    compiler=afl-clang-fast++
    # Clang's own edge coverage (trace-pc-guard, fed to AFL++'s map by its runtime), not AFL++'s PCGUARD pass:
    # in Debian 12's AFL++ 4.04c that pass leaves out every function whose mangled name holds "__cxx", which is
    # any function of a std::string or a JSON value (AFLplusplus issue 1927, docs/fuzzing.md). The mode is not
    # in the compiler's flags, so its objects get a directory of their own.
    export AFL_LLVM_INSTRUMENT=LLVM-NATIVE
    work=$build/cmake-native
    link_engine=/usr/lib/afl/libAFLDriver.a
    [ -f "$link_engine" ] || { echo "build.sh: no $link_engine (apt-get install afl++)" >&2; exit 1; }
  fi
fi
mkdir -p "$work" "$out"  # the configure log goes beside the build directory

cmake -S "$source_dir" -B "$work" -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_CXX_FLAGS="$flags" \
  -DELABORATOR_BUILD_FUZZERS=ON -DELABORATOR_BUILD_TESTS=OFF -DELABORATOR_BUILD_EXAMPLES=OFF \
  -DELABORATOR_FUZZ_ENGINE="$link_engine" -DELABORATOR_FUZZ_FLAGS="" > "$work.log" 2>&1 || { cat "$work.log"; exit 1; }
targets=()
for name in "$@"; do targets+=(--target "fuzz_$name"); done
cmake --build "$work" -j "$(nproc)" "${targets[@]}"

built=()
for binary in "$work"/fuzz/fuzz_*; do
  [[ -f $binary && -x $binary ]] || continue  # the .dict files beside them
  name=$(basename "$binary")
  [ $# -eq 0 ] || [[ " $* " == *" ${name#fuzz_} "* ]] || continue
  cp "$binary" "$out/"
  [ -f "$binary.dict" ] && cp "$binary.dict" "$out/"
  [ -f "$here/$name.options" ] && cp "$here/$name.options" "$out/"
  rm -f "$out/${name}_seed_corpus.zip"  # zip adds to an archive: a seed removed would stay
  (cd "$here/corpus/${name#fuzz_}" && zip -q -r "$out/${name}_seed_corpus.zip" .)
  built+=("$name")
done
echo "fuzz targets for $engine in $out: ${built[*]}"
