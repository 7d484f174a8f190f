#!/usr/bin/env bash
# Fuzzes for a while: every target, or one, with libFuzzer or AFL++.
#   fuzz/run.sh [TARGET|all] [SECONDS]      e.g. fuzz/run.sh rtcp 600; default all, 60 s each
#   FUZZING_ENGINE=afl fuzz/run.sh ...      the same with AFL++ (afl-fuzz), from build-fuzz-afl/
#   FUZZ_BUILD_TREE=DIR fuzz/run.sh ...     libFuzzer, the targets of a CMake build tree configured with
#                                           -DELABORATOR_BUILD_FUZZERS=ON (CI: its sanitizer build's)
# Builds the targets first (fuzz/build.sh), unless FUZZ_BUILD_TREE names them. The seeds in
# fuzz/corpus/<target> are read, never written. What libFuzzer finds goes to build-fuzz/corpus/<target>,
# crashes and timeouts to build-fuzz/artifacts/<target>/; AFL++ keeps its queue, crashes and hangs in
# build-fuzz-afl/afl/<target>/default/. Each target's dictionary (fuzz_<target>.dict, beside it) is used,
# and libFuzzer gets its options (fuzz/fuzz_<target>.options). Prints each target's exec/s, coverage, corpus
# size and findings. JOBS=N runs N targets at once (default 1).
# First each target is started bare, as OSS-Fuzz starts it (no sanitizer options in the environment), on its
# seeds: it must run them clean (its LeakSanitizer suppressions are built in: fuzz/lsan_suppressions.cpp.in).
# Exits 1 if any target found something: reproduce it with  <build>/out/fuzz_<target> <file>.
# "all" leaves out a target with an open finding in fuzz/unfixed/<target>-* (and says so).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
# shellcheck source=fuzz/engine.sh
source "$here/engine.sh"
which=${1:-all}
seconds=${2:-60}
jobs=${JOBS:-1}

mkdir -p "$build"
if [ -n "${FUZZ_BUILD_TREE:-}" ]; then
  [ "$engine" = libfuzzer ] || { echo "run.sh: FUZZ_BUILD_TREE holds libFuzzer targets, not $engine's" >&2; exit 2; }
  [ -d "$FUZZ_BUILD_TREE" ] || { echo "run.sh: FUZZ_BUILD_TREE=$FUZZ_BUILD_TREE is no directory" >&2; exit 2; }
  out=$(cd "$FUZZ_BUILD_TREE" && pwd)/fuzz
  compgen -G "$out/fuzz_*" > /dev/null ||
    { echo "run.sh: no fuzz targets in $out (configure with -DELABORATOR_BUILD_FUZZERS=ON and build)" >&2; exit 2; }
else
  build_only=()
  [ "$which" = all ] || build_only=("$which")
  "$here/build.sh" "${build_only[@]}" > "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
fi

targets=()
for binary in "$out"/fuzz_*; do
  [[ -f $binary && -x $binary ]] || continue  # seeds, dictionaries and options lie beside the targets
  name=$(basename "$binary"); name=${name#fuzz_}
  if [ "$which" = all ] && compgen -G "$here/unfixed/$name-*" > /dev/null; then
    # A known, documented finding (docs/fuzzing.md) would fail every run until it is fixed: "all" leaves the
    # target out, loudly; naming it runs it.
    echo "fuzz $name: SKIPPED, open finding $(ls "$here/unfixed/$name"-* | head -n 1 | xargs basename) (docs/fuzzing.md)"
    continue
  fi
  [ "$which" = all ] || [ "$which" = "$name" ] && targets+=("$name")
done

# Runs a target's seeds once each with no sanitizer options in the environment; prints what failed.
bare_start() {
  local name=$1 log=$build/logs/$1.bare.log
  mkdir -p "$build/logs"
  if env -u LSAN_OPTIONS -u ASAN_OPTIONS -u UBSAN_OPTIONS "$out/fuzz_$name" "$here/corpus/$name"/* > "$log" 2>&1; then
    echo "fuzz $name: started bare, $(ls "$here/corpus/$name" | wc -l) seeds run clean"
  else
    echo "fuzz $name: STARTED BARE, FAILED on its seeds:"; grep -m 5 -E "ERROR|SUMMARY|leak of" "$log"
    return 1
  fi
}

fuzz_one() {
  local name=$1 result=ok execs coverage corpus findings
  fuzz_with_engine "$name" "$seconds" "$build" || result="FOUND SOMETHING OR FAILED: see $build/logs/$name.log"
  read -r execs coverage corpus findings < <(engine_stats "$name" "$build")
  echo "fuzz $name ($engine): ${seconds} s, $execs exec/s, cov $coverage edges, corpus $corpus, findings $findings: $result"
  [ "$result" = ok ]
}

failed=0
for name in "${targets[@]}"; do bare_start "$name" || failed=1; done
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
running=0
for name in "${targets[@]}"; do
  fuzz_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || failed=1; running=$((running - 1)); fi
done
while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
exit $failed
