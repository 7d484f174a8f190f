#!/usr/bin/env bash
# OSS-Fuzz's build script for elaborator: projects/elaborator/build.sh in google/oss-fuzz, which the Dockerfile
# copies to $SRC/build.sh and OSS-Fuzz's `compile` runs with its variables set (SRC, WORK, OUT, CC, CXX,
# CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, FUZZING_ENGINE, ARCHITECTURE).
#   $SRC/build.sh [TARGET...]     every fuzz target, or those named, into $OUT with their seed corpora and
#                                 dictionaries (fuzz/build.sh does the work)
# fuzz/oss-fuzz/check.sh runs it the way OSS-Fuzz does, without OSS-Fuzz.
set -euo pipefail
: "${SRC:?not inside OSS-Fuzz: SRC is not set (fuzz/build.sh builds locally)}"
: "${LIB_FUZZING_ENGINE:?not inside OSS-Fuzz: LIB_FUZZING_ENGINE is not set (fuzz/build.sh builds locally)}"
exec "$SRC/elaborator/fuzz/build.sh" "$@"
