#!/usr/bin/env bash
# The one command that tests rvoip-appliance:
#  1. installs missing Debian packages;
#  2. builds (release, warnings as errors) and runs every meson test suite (unit, integration,
#     the 60 s overload run, the fuzz corpora and crash reproducers replayed);
#  3. builds everything again with AddressSanitizer + UBSan (-fno-sanitize-recover=all, so any
#     finding fails its test) and libstdc++ assertions (-D_GLIBCXX_ASSERTIONS), and runs the
#     whole suite there too;
#  4. builds the libFuzzer harnesses (clang 16) and runs each for 60 s (scripts/fuzz.sh).
# Usage: scripts/test.sh [extra `meson test` arguments, e.g. --suite unit: step 2 only]
#        RVOIP_SKIP_ASAN=1 / RVOIP_SKIP_FUZZ=1 scripts/test.sh   (skip step 3 / step 4)
#        RVOIP_FUZZ_SECONDS=N   (per harness in step 4; default 60)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
start=$(date +%s)

build=${RVOIP_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release
else
  meson setup --reconfigure "$build" >/dev/null
fi
ninja -C "$build"
# Integration tests bring up DPDK with --no-huge; 2 jobs keep a 2-core machine responsive.
meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
echo "test.sh: release build and tests done in $(( $(date +%s) - start )) s"

if [ -z "${RVOIP_SKIP_ASAN:-}" ] && [ $# -eq 0 ]; then
  # The whole suite again, unit and integration (rvoipd itself, DPDK included), under ASan +
  # UBSan with -fno-sanitize-recover (any finding fails its test) and libstdc++ assertions.
  asan=${build}-asan
  if [ ! -f "$asan/build.ninja" ]; then
    # werror off: GCC 12 reports false -Wstringop-overflow under the sanitizers. b_lundef off:
    # the sanitizer runtimes resolve symbols at load time.
    meson setup "$asan" --buildtype=debugoptimized -Db_sanitize=address,undefined \
      -Db_lundef=false -Dwerror=false -Dperf=disabled \
      "-Dcpp_args=-fno-sanitize-recover=all -D_GLIBCXX_ASSERTIONS"
  fi
  ninja -C "$asan"
  # Sanitized code runs a few times slower: the same per-test limits, tripled.
  ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    meson test -C "$asan" --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 3
  echo "test.sh: sanitizer build and tests done in $(( $(date +%s) - start )) s"
fi

if [ -z "${RVOIP_SKIP_FUZZ:-}" ] && [ $# -eq 0 ]; then
  scripts/fuzz.sh "${RVOIP_FUZZ_SECONDS:-60}"
  echo "test.sh: fuzzing done in $(( $(date +%s) - start )) s"
fi
