#!/usr/bin/env bash
# Fuzzes one target with libFuzzer and with AFL++ side by side, for the same time from the same seeds, and prints
# how they did as the rows of a Markdown table (docs/fuzzing.md, "libFuzzer and AFL++").
#   fuzz/compare_engines.sh TARGET [SECONDS]      e.g. fuzz/compare_engines.sh rtcp 600; default 60 s
# Both builds have ASan + UBSan (fuzz/build.sh for each engine); both runs start afresh in
# build-fuzz-compare/<target>/<engine>/, at the same time (two fuzzers, one core each on an idle 2-core
# machine), with the target's dictionary, 25 s per input and 4 GB of memory (fuzz/engine.sh).
# Columns: exec/s and coverage as each engine counts them (libFuzzer: edges covered; AFL++: edges found of those
# its instrumentation made), then the coverage of each final corpus replayed through the libFuzzer build (one
# yardstick for both), corpus size with the seeds, and findings (libFuzzer stops at its first; AFL++ goes on).
# Also written to build-fuzz-compare/<target>/table.md. Exits 1 if an engine failed or found something.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(dirname "$here")
name=${1:?usage: fuzz/compare_engines.sh TARGET [SECONDS]}
seconds=${2:-60}
compare=$source_dir/build-fuzz-compare/$name
rm -rf "$compare"
mkdir -p "$compare"

for engine in libfuzzer afl; do
  FUZZING_ENGINE=$engine "$here/build.sh" "$name" > "$compare/build-$engine.log" 2>&1 || {
    cat "$compare/build-$engine.log"; exit 1; }
done

# Runs ENGINE's part in a subshell of its own: fuzz/engine.sh's variables are per engine.
with_engine() {
  local chosen=$1; shift
  # shellcheck source=fuzz/engine.sh
  (FUZZING_ENGINE=$chosen; source "$here/engine.sh"; "$@")
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0
with_engine libfuzzer fuzz_with_engine "$name" "$seconds" "$compare/libfuzzer" & libfuzzer_run=$!
with_engine afl fuzz_with_engine "$name" "$seconds" "$compare/afl" & afl_run=$!
wait $libfuzzer_run || failed=1
wait $afl_run || failed=1

# The edges of the project's code the corpus ends with reaches, as the libFuzzer build counts them running it.
libfuzzer_binary=$source_dir/build-fuzz/out/fuzz_$name
replayed_coverage() {
  local dirs
  mapfile -t dirs < <(engine_corpus "$name" "$compare/$engine")
  "$libfuzzer_binary" -runs=0 "${dirs[@]}" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p'
}
row() {
  local execs coverage corpus findings
  read -r execs coverage corpus findings < <(engine_stats "$name" "$compare/$engine")
  echo "| $name | $engine | $seconds | $execs | $coverage | $(replayed_coverage) | $corpus | $findings |"
}
{
  echo "| target | engine | seconds | exec/s | coverage, as the engine counts |" \
       "coverage, corpus replayed by libFuzzer | corpus | findings |"
  echo "|---|---|---|---|---|---|---|---|"
  with_engine libfuzzer row
  with_engine afl row
} | tee "$compare/table.md"
echo "load average at the start: $load; logs in $compare/<engine>/logs/"
[ $failed -eq 0 ] || echo "compare_engines.sh: an engine failed or found something: see the logs and findings above"
exit $failed
