#!/usr/bin/env bash
# Builds fuzz targets through fuzz/oss-fuzz/build.sh the way OSS-Fuzz does, and checks the result the way its
# check_build does.
#   fuzz/oss-fuzz/check.sh [ci]     what CI runs: the targets of CI_TARGETS (one per kind of dependency: none,
#                                   GStreamer, OpenCV, JSON) for libFuzzer with ASan; rtp_header for libFuzzer
#                                   with UBSan and for AFL++ with ASan
#   fuzz/oss-fuzz/check.sh all      every target in each of the three configurations
#   fuzz/oss-fuzz/check.sh afl/address rtcp ...    one configuration, the targets named (none: every target)
# The configurations are those OSS-Fuzz builds for project.yaml (engines libfuzzer and afl, sanitizers address
# and undefined; it builds AFL++ with address only). For each, under build-fuzz-oss/<engine>-<sanitizer>/:
#   1. a fresh SRC, WORK and OUT; the checkout as $SRC/elaborator, build.sh as $SRC/build.sh (the Dockerfile's
#      doing); the variables OSS-Fuzz's images and `compile` set and nothing else in the environment (CC, CXX,
#      CFLAGS and CXXFLAGS with its sanitizer and coverage flags, LIB_FUZZING_ENGINE, SANITIZER,
#      FUZZING_ENGINE, ARCHITECTURE, and compile_afl's AFL_* for AFL++); then `bash -eux $SRC/build.sh`;
#   2. OUT moved elsewhere, as check_build does to catch hard-coded paths, and per target, in the runner
#      image's environment (its ASAN_OPTIONS and UBSAN_OPTIONS, no LSAN_OPTIONS): the binary is an x86-64
#      fuzz target; objdump counts its sanitizer calls against bad_build_check's thresholds; libFuzzer runs
#      -runs=4, AFL++'s afl-fuzz gets as far as "All set and ready to roll" (dictionary loaded) without the
#      target crashing; its seed corpus zip holds every seed of fuzz/corpus/<target>, and they run clean
#      (libFuzzer -runs=0 with the dictionary, whose entries must all load; AFL++'s driver one file after
#      the other); a target's fuzz_<target>.options lies beside it, and libFuzzer runs with them, as
#      run_fuzzer runs it.
#   A target below bad_build_check's sanitizer call thresholds is broken in OSS-Fuzz's eyes, and OSS-Fuzz
#   (test_all) rejects a build with more than 10 % of its targets broken: so does this script. Any other
#   failure fails at once.
# Where this differs from OSS-Fuzz, which cannot run here (no registry for its images): Debian's clang 14 and
# AFL++ 4.04c instead of OSS-Fuzz's builds of them (afl-clang-fast from /usr/bin; libAFLDriver.a copied into
# WORK, as compile_afl copies its own to /usr/lib/libFuzzingEngine.a); and the targets run where their shared
# libraries are installed, which the runner image is not: each target's line names how many it needs beyond
# the C and C++ runtimes (docs/fuzzing.md, "OSS-Fuzz").
# Exits 1 if a build or a check failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
root=$source_dir/build-fuzz-oss
# shellcheck source=fuzz/engine.sh
source "$source_dir/fuzz/engine.sh"  # target_options
CI_TARGETS=(rtp_header janus_events rtp_pipeline training_data)
allowed_broken=10  # % of targets, test_all's default (ALLOWED_BROKEN_TARGETS_PERCENTAGE)

# OSS-Fuzz's flags, as its images define them (infra/base-images/base-clang and base-builder Dockerfiles).
base_cflags="-O1 -fno-omit-frame-pointer -gline-tables-only -Wno-error=incompatible-function-pointer-types \
-Wno-error=int-conversion -Wno-error=deprecated-declarations -Wno-error=implicit-function-declaration \
-Wno-error=implicit-int -Wno-error=unknown-warning-option -Wno-error=vla-cxx-extension \
-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan_checks=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return
ubsan_checks+=,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
declare -A sanitizer_flags=(
  [address]="-fsanitize=address -fsanitize-address-use-after-scope"
  [undefined]="-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks"
)
# The runner image's environment (infra/base-images/base-runner/Dockerfile), and what run_fuzzer adds for AFL++.
runner_asan="alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:\
check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:\
detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:\
max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:\
dedup_token_length=3"
runner_ubsan="print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3"
afl_runner=(ASAN_OPTIONS="$runner_asan:abort_on_error=1:symbolize=0:detect_odr_violation=0"
            UBSAN_OPTIONS="$runner_ubsan:symbolize=0" AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
            AFL_TRY_AFFINITY=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=30000 AFL_IGNORE_PROBLEMS=1 AFL_NO_UI=1)

# Builds ENGINE/SANITIZER for TARGET... (none: every target) into DIR/out, as OSS-Fuzz's `compile` would.
oss_fuzz_build() {
  local engine=$1 sanitizer=$2 dir=$3; shift 3
  rm -rf "$dir"
  mkdir -p "$dir/src" "$dir/work" "$dir/out"
  ln -s "$source_dir" "$dir/src/elaborator"
  cp "$here/build.sh" "$dir/src/build.sh"
  local cc=clang cxx=clang++ link_engine=-fsanitize=fuzzer coverage=-fsanitize=fuzzer-no-link afl_build=()
  if [ "$engine" = afl ]; then
    cc=afl-clang-fast cxx=afl-clang-fast++ link_engine=$dir/work/libFuzzingEngine.a coverage=""
    cp /usr/lib/afl/libAFLDriver.a "$link_engine"
    afl_build=(AFL_QUIET=1 AFL_IGNORE_PROBLEMS=1 AFL_IGNORE_UNKNOWN_ENVS=1
               ASAN_OPTIONS=detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1)
  fi
  local cflags="$base_cflags ${sanitizer_flags[$sanitizer]} $coverage"
  local cxxflags="$cflags -stdlib=libc++"
  [ "$sanitizer" = undefined ] && cflags+=" -fno-sanitize=function"  # compile does this for C only
  (cd "$dir/src/elaborator" &&
   env -i PATH="$PATH" HOME="$HOME" SRC="$dir/src" WORK="$dir/work" OUT="$dir/out" CC="$cc" CXX="$cxx" \
     CFLAGS="$cflags" CXXFLAGS="$cxxflags" LIB_FUZZING_ENGINE="$link_engine" SANITIZER="$sanitizer" \
     FUZZING_ENGINE="$engine" ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c++ "${afl_build[@]}" \
     bash -eux "$dir/src/build.sh" "$@") > "$dir/build.log" 2>&1
}

# Calls to a sanitizer's runtime in BINARY, counted as bad_build_check counts them.
sanitizer_calls() { objdump -d "$1" | grep -cE "call[q]?\s+[0-9a-f]+\s+<__$2" || true; }

# Checks fuzz_NAME in OUT built for ENGINE/SANITIZER; prints one line, and the reasons if it fails. Returns 2
# if only bad_build_check's sanitizer call counts are below its thresholds (OSS-Fuzz tolerates a few such
# targets), 1 for anything else.
check_target() {
  local engine=$1 sanitizer=$2 out=$3 name=$4
  local binary=$out/fuzz_$name seeds=$out/$name.seeds log=$out/$name.check.log problems=() notes=() below=()
  [ -x "$binary" ] || { echo "  fuzz_$name: FAILED, not built"; return 1; }
  readelf -h "$binary" | grep -q "Machine:.*X86-64" || problems+=("not an x86-64 binary")
  grep -q LLVMFuzzerTestOneInput "$binary" || problems+=("no LLVMFuzzerTestOneInput")

  local asan ubsan
  asan=$(sanitizer_calls "$binary" asan) ubsan=$(sanitizer_calls "$binary" ubsan)
  if [ "$sanitizer" = address ]; then
    [ "$asan" -ge 1000 ] || below+=("$asan calls to ASan, bad_build_check wants 1000 or more")
    [ "$ubsan" -le 200 ] || problems+=("$ubsan calls to UBSan in an ASan build, bad_build_check allows 200")
    notes+=("$asan ASan calls")
  else
    [ "$asan" -eq 0 ] || problems+=("$asan calls to ASan in a UBSan build")
    [ "$ubsan" -ge 168 ] || below+=("$ubsan calls to UBSan, bad_build_check wants 168 or more")
    notes+=("$ubsan UBSan calls")
  fi

  local zip=$out/fuzz_${name}_seed_corpus.zip dict=$out/fuzz_$name.dict
  local expected entries
  expected=$(find "$source_dir/fuzz/corpus/$name" -type f | wc -l)
  entries=$(grep -c '^[^#]' "$dict" 2> /dev/null || echo 0)
  [ "$entries" -gt 0 ] || problems+=("no dictionary fuzz_$name.dict")
  rm -rf "$seeds" && mkdir -p "$seeds"
  if [ ! -f "$zip" ]; then
    problems+=("no seed corpus fuzz_${name}_seed_corpus.zip")
  else
    unzip -q -o -d "$seeds" "$zip"
    local zipped
    zipped=$(find "$seeds" -type f | wc -l)
    [ "$zipped" -eq "$expected" ] || problems+=("the zip holds $zipped of $expected seeds")
  fi

  local options=()
  if [ -f "$source_dir/fuzz/fuzz_$name.options" ]; then
    [ -f "$out/fuzz_$name.options" ] || problems+=("no fuzz_$name.options beside it")
    mapfile -t options < <(target_options "$out/fuzz_$name.options")
  fi
  local runner=(env -i PATH="$PATH" HOME="$HOME" ASAN_OPTIONS="$runner_asan" UBSAN_OPTIONS="$runner_ubsan")
  if [ "$engine" = libfuzzer ]; then
    "${runner[@]}" "$binary" -seed=1337 -runs=4 "${options[@]}" > "$log" 2>&1 || true
    grep -q "Done 4 runs" "$log" || problems+=("does not start: -runs=4 did not finish ($log)")
    if "${runner[@]}" "$binary" -rss_limit_mb=2560 -timeout=25 -runs=0 -dict="$dict" "${options[@]}" "$seeds" \
        > "$log.seeds" 2>&1; then
      notes+=("$expected seeds run clean")
    else
      problems+=("its seeds do not run clean ($log.seeds)")
    fi
    grep -q "Dictionary: $entries entries" "$log.seeds" ||
      problems+=("libFuzzer did not load the $entries entries of its dictionary")
  else
    local input=$out/$name.afl-input
    rm -rf "$input" "$out/$name.afl-out" && mkdir -p "$input" && echo input > "$input/input"
    "${runner[@]}" "${afl_runner[@]}" timeout -s INT 35 afl-fuzz -m none -t 5000+ -V 3 -i "$input" \
      -o "$out/$name.afl-out" -x "$dict" -- "$binary" > "$log" 2>&1 || true
    grep -q "All set and ready to roll" "$log" || problems+=("afl-fuzz did not get ready ($log)")
    ! grep -qE "target binary (crashed|terminated)" "$log" || problems+=("crashed under afl-fuzz ($log)")
    grep -q "Loaded a total of [1-9][0-9]* extras" "$log" || problems+=("afl-fuzz did not load its dictionary")
    if "${runner[@]}" "$binary" "$seeds"/* > "$log.seeds" 2>&1; then
      notes+=("$expected seeds run clean")
    else
      problems+=("its seeds do not run clean ($log.seeds)")
    fi
  fi

  # What the runner image would lack: every shared library beyond the C and C++ runtimes (docs/fuzzing.md).
  local needed
  needed=$(ldd "$binary" | awk '{print $1}' |
           grep -cvE '^(linux-vdso|/lib64/ld-linux|lib(c|m|dl|rt|pthread|stdc\+\+|gcc_s)\.so)' || true)
  if [ "$needed" -eq 0 ]; then
    notes+=("needs only the C and C++ runtimes")
  else
    notes+=("needs $needed more shared libraries")
  fi

  local summary
  summary=$(printf '%s, ' "${notes[@]}")
  if [ ${#problems[@]} -gt 0 ]; then
    echo "  fuzz_$name: FAILED"; printf '    %s\n' "${problems[@]}" "${below[@]}"
    return 1
  elif [ ${#below[@]} -gt 0 ]; then
    echo "  fuzz_$name: BAD BUILD as bad_build_check judges it, otherwise ok (${summary%, })"
    printf '    %s\n' "${below[@]}"
    return 2
  fi
  echo "  fuzz_$name: ok (${summary%, })"
}

# Builds and checks ENGINE/SANITIZER for TARGET... (none: every target).
check_configuration() {
  local engine=$1 sanitizer=$2; shift 2
  local dir=$root/$engine-$sanitizer start=$SECONDS failed=0 broken=0 status
  echo "oss-fuzz $engine/$sanitizer: building ${*:-every target}"
  oss_fuzz_build "$engine" "$sanitizer" "$dir" "$@" || { echo "  BUILD FAILED:"; tail -n 30 "$dir/build.log"; return 1; }
  mv "$dir/out" "$dir/moved-out"  # check_build's use_different_out_dir
  local names=("$@")
  if [ ${#names[@]} -eq 0 ]; then
    for source in "$source_dir"/fuzz/fuzz_*.cpp; do source=${source##*/fuzz_}; names+=("${source%.cpp}"); done
  fi
  for name in "${names[@]}"; do
    status=0
    check_target "$engine" "$sanitizer" "$dir/moved-out" "$name" || status=$?
    [ $status -eq 1 ] && failed=1
    [ $status -eq 2 ] && broken=$((broken + 1))
  done
  # test_all's rule: the build passes with at most ALLOWED_BROKEN_TARGETS_PERCENTAGE (10) % of its targets broken.
  local verdict=passed
  if [ $((broken * 100)) -gt $((allowed_broken * ${#names[@]})) ]; then
    verdict="FAILED: OSS-Fuzz would reject it, $broken of ${#names[@]} targets broken (it allows $allowed_broken %)"
    failed=1
  elif [ $failed -ne 0 ]; then
    verdict=FAILED
  elif [ $broken -gt 0 ]; then
    verdict="passed, $broken of ${#names[@]} targets broken in bad_build_check's eyes (OSS-Fuzz allows $allowed_broken %)"
  fi
  echo "oss-fuzz $engine/$sanitizer: $verdict, in $((SECONDS - start)) s"
  return $failed
}

case ${1:-ci} in
  ci) sets=("libfuzzer address ${CI_TARGETS[*]}" "libfuzzer undefined rtp_header" "afl address rtp_header") ;;
  all) sets=("libfuzzer address" "libfuzzer undefined" "afl address") ;;
  libfuzzer/address | libfuzzer/undefined | afl/address) sets=("${1/\// } ${*:2}") ;;
  *) echo "usage: $0 [ci | all | libfuzzer/address | libfuzzer/undefined | afl/address [TARGET...]]" >&2; exit 2 ;;
esac
command -v afl-fuzz > /dev/null || { echo "check.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 1; }
failed=0
for set in "${sets[@]}"; do
  read -ra words <<< "$set"
  check_configuration "${words[@]}" || failed=1
done
exit $failed
