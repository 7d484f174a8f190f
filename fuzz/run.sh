#!/usr/bin/env bash
# Fuzzes for a while: every target, or one.
#   fuzz/run.sh [TARGET|all] [SECONDS]      e.g. fuzz/run.sh rtcp 600; default all, 60 s each
# Builds the targets first (fuzz/build.sh). The seeds in fuzz/corpus/<target> are read, never written: new
# inputs go to build-fuzz/corpus/<target>, crashes and timeouts to build-fuzz/artifacts/<target>/. Prints each
# target's exec/s, coverage and corpus size (-print_final_stats). JOBS=N runs N targets at once (default 1).
# First each target is started bare, as OSS-Fuzz starts it (no sanitizer options in the environment), on its
# seeds: it must run them clean (its LeakSanitizer suppressions are built in: fuzz/lsan_suppressions.cpp.in).
# Exits 1 if any target found a crash: reproduce it with  build-fuzz/out/fuzz_<target> <crash file>.
# "all" leaves out a target with an open finding in fuzz/unfixed/<target>-* (and says so).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
which=${1:-all}
seconds=${2:-60}
jobs=${JOBS:-1}
build=$source_dir/build-fuzz
out=$build/out

"$here/build.sh" > "$build.log" 2>&1 || { cat "$build.log"; exit 1; }

targets=()
for binary in "$out"/fuzz_*; do
  [[ -x $binary ]] || continue  # seeds and options lie beside the targets
  name=$(basename "$binary"); name=${name#fuzz_}
  if [ "$which" = all ] && compgen -G "$here/unfixed/$name-*" > /dev/null; then
    # A known, documented finding (docs/fuzzing.md) would fail every run until it is fixed: "all" leaves the
    # target out, loudly; naming it runs it.
    echo "fuzz $name: SKIPPED, open finding $(ls "$here/unfixed/$name"-* | head -n 1 | xargs basename) (docs/fuzzing.md)"
    continue
  fi
  [ "$which" = all ] || [ "$which" = "$name" ] && targets+=("$name")
done
[ ${#targets[@]} -gt 0 ] || { echo "run.sh: no fuzz target '$which' (have: $(cd "$out" && find . -maxdepth 1 -name 'fuzz_*' -perm -u+x -printf '%f '))"; exit 2; }

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

# A target's own options, from fuzz/fuzz_<target>.options (OSS-Fuzz's format: "name = value" lines).
target_options() {
  local file=$here/fuzz_$1.options
  [ -f "$file" ] && sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "$file"
  return 0
}

fuzz_one() {
  local name=$1 log=$build/logs/$1.log
  mkdir -p "$build/corpus/$name" "$build/artifacts/$name" "$build/logs"
  # shellcheck disable=SC2046  # one option a line, none with spaces
  if "$out/fuzz_$name" "$build/corpus/$name" "$here/corpus/$name" -max_total_time="$seconds" -timeout=25 \
      -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$build/artifacts/$name/" $(target_options "$name") \
      > "$log" 2>&1; then
    result=ok
  else
    result="FOUND A CRASH: $(ls "$build/artifacts/$name" | head -n 3 | tr '\n' ' ')"
  fi
  local execs cov corpus
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  corpus=$(ls "$build/corpus/$name" | wc -l)
  echo "fuzz $name: ${seconds} s, ${execs:-?} exec/s, ${cov:-cov: ?} edges, corpus $corpus: $result"
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
