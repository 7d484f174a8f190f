# shellcheck shell=bash
# Sourced by fuzz/build.sh, fuzz/run.sh, fuzz/compare_engines.sh and fuzz/oss-fuzz/check.sh (not run): which
# fuzzing engine, where its local build lives, how to fuzz one target with it and read back what it did.
#   FUZZING_ENGINE=libfuzzer (the default) or afl, the names OSS-Fuzz gives them.
# Expects `here` (fuzz/) and `source_dir` (the checkout); sets `engine`, `build` and `out`.
# shellcheck disable=SC2154  # here and source_dir: the sourcing script's

engine=${FUZZING_ENGINE:-libfuzzer}
case $engine in
  libfuzzer) build=$source_dir/build-fuzz ;;
  afl) build=$source_dir/build-fuzz-afl ;;
  *) echo "FUZZING_ENGINE=$engine: expected libfuzzer or afl" >&2; exit 2 ;;
esac
out=$build/out

# The libFuzzer options in FILE, a target's fuzz_<target>.options (OSS-Fuzz's format: "name = value" lines),
# one a line; none if there is no such file.
target_options() {
  [ -f "$1" ] && sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "$1"
  return 0
}

# Fuzzes fuzz_NAME for SECONDS from its seeds (fuzz/corpus/NAME, only read), keeping what it finds under STATE:
# libFuzzer in STATE/corpus/NAME and STATE/artifacts/NAME, AFL++ in STATE/afl/NAME (its output directory:
# queue, crashes, hangs); either's log in STATE/logs/NAME.log. A run in a STATE that has been used goes on from
# what the last one found. Both engines get the same limits: 25 s per input, 4 GB of memory. Fails if the
# engine failed or the run found a crash, a hang, a leak or an input that ran out of memory.
fuzz_with_engine() {
  local name=$1 seconds=$2 state=$3
  local log=$state/logs/$name.log dictionary=() options=() status=0
  mkdir -p "$state/logs"
  if [ "$engine" = libfuzzer ]; then
    [ -f "$out/fuzz_$name.dict" ] && dictionary=("-dict=$out/fuzz_$name.dict")
    mapfile -t options < <(target_options "$here/fuzz_$name.options")
    mkdir -p "$state/corpus/$name" "$state/artifacts/$name"
    "$out/fuzz_$name" "$state/corpus/$name" "$here/corpus/$name" -max_total_time="$seconds" -timeout=25 \
      -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$state/artifacts/$name/" "${dictionary[@]}" \
      "${options[@]}" > "$log" 2>&1 || status=$?
  else
    [ -f "$out/fuzz_$name.dict" ] && dictionary=(-x "$out/fuzz_$name.dict")
    mkdir -p "$state/afl"
    # afl-fuzz insists on abort_on_error and symbolize=0, and takes a crash only as a signal, so UBSan must abort
    # too; it refuses LSAN_OPTIONS without symbolize=0 (the suppressions are built into the targets anyway).
    # LSAN_OPTIONS is set, because afl-fuzz's own default for it has fast_unwind_on_malloc=0, which LeakSanitizer
    # inside ASan applies to every allocation: a stack unwound through libgcc at each malloc made AFL++'s
    # executions of cli 5 to 15 times as slow (38-54 ms a seed, against 2.4-7 ms with this). libFuzzer's runs
    # unwind the fast way: so both engines run with the same sanitizer settings.
    # hard_rss_limit_mb and max_allocation_size_mb are libFuzzer's -rss_limit_mb=4096. afl-fuzz binds itself
    # and the target to a free core if it can, as OSS-Fuzz lets it: every execution is a round trip between the
    # two processes (rtcp beside libFuzzer on this busy 2-core machine: 16,000 exec/s unbound, 57,000 bound).
    env LSAN_OPTIONS="symbolize=0" \
      ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=1:hard_rss_limit_mb=4096:max_allocation_size_mb=4096" \
      UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:symbolize=0" \
      AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_TRY_AFFINITY=1 AFL_AUTORESUME=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      timeout -s INT "$((seconds + 300))" afl-fuzz -V "$seconds" -t 25000 -m none -i "$here/corpus/$name" \
      -o "$state/afl/$name" "${dictionary[@]}" -- "$out/fuzz_$name" > "$log" 2>&1 || status=$?
  fi
  [ "$status" -eq 0 ] && [ "$(engine_findings "$name" "$state")" -eq 0 ]
}

# The inputs a run in STATE kept for NAME: crashes, hangs, leaks and ooms.
engine_findings() {
  local name=$1 state=$2
  if [ "$engine" = libfuzzer ]; then
    find "$state/artifacts/$name" -type f 2> /dev/null | wc -l
  else
    find "$state/afl/$name/default/crashes" "$state/afl/$name/default/hangs" -type f -name 'id:*' 2> /dev/null | wc -l
  fi
}

# The directories of the corpus a run in STATE ended with for NAME, seeds included, one a line.
engine_corpus() {
  local name=$1 state=$2
  if [ "$engine" = libfuzzer ]; then
    printf '%s\n' "$state/corpus/$name" "$here/corpus/$name"
  else
    printf '%s\n' "$state/afl/$name/default/queue"
  fi
}

# A field of AFL++'s fuzzer_stats file.
afl_stat() { sed -n "s/^$2 *: *//p" "$1" 2> /dev/null; }

# What the last run in STATE did for NAME, as the engine counts it, as four fields: executions per second,
# coverage (libFuzzer: edges covered; AFL++: edges found/edges instrumented), corpus size (seeds included) and
# findings.
engine_stats() {
  local name=$1 state=$2 execs coverage corpus
  if [ "$engine" = libfuzzer ]; then
    local log=$state/logs/$name.log dirs
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    mapfile -t dirs < <(engine_corpus "$name" "$state")
    corpus=$(find "${dirs[@]}" -type f | wc -l)
  else
    local stats=$state/afl/$name/default/fuzzer_stats
    execs=$(afl_stat "$stats" execs_per_sec | cut -d. -f1)
    coverage="$(afl_stat "$stats" edges_found)/$(afl_stat "$stats" total_edges)"
    corpus=$(afl_stat "$stats" corpus_count)
  fi
  echo "${execs:-?} ${coverage:-?} ${corpus:-?} $(engine_findings "$name" "$state")"
}
