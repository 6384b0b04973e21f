#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ (clang 16, ASan + UBSan, coverage) and runs each one
# for SECONDS (default 60) on its committed corpus. New coverage stays in build-fuzz/corpus/;
# a crash stops the script with the reproducer in build-fuzz/artifacts/<harness>/ (fix the code,
# then commit the reproducer under fuzz/regressions/<harness>/). See fuzz/README.md.
# Usage: scripts/fuzz.sh [seconds] [harness...]
#        scripts/fuzz.sh --merge      (re-seed from tests/data and re-minimise fuzz/corpus/*)
# Env:   RVOIP_FUZZ_BUILD_DIR (default build-fuzz), RVOIP_FUZZ_JOBS (ninja -j, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${RVOIP_FUZZ_BUILD_DIR:-build-fuzz}
harnesses=(call_tracker config hep ip_reassembly media packet sctp sdp_parser sip_parser tcp_sip websocket wire)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-16 CXX=clang++-16 meson setup "$build" --buildtype=debugoptimized -Dfuzzing=enabled \
    -Dtests=disabled -Dperf=disabled -Db_sanitize=address,undefined -Db_lundef=false \
    -Dwerror=false -Dcpp_args=-fno-sanitize-recover=all
fi
ninja -C "$build" -j "${RVOIP_FUZZ_JOBS:-2}" "${harnesses[@]/#/fuzz/fuzz_}"

# UBSan findings abort (the build has -fno-sanitize-recover=all); leaks are findings too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ "${1:-}" = "--merge" ]; then
  seeds=$(mktemp -d)
  trap 'rm -rf "$seeds"' EXIT
  /usr/bin/python3 fuzz/make_seeds.py "$seeds"
  for h in "${harnesses[@]}"; do
    old=$(mktemp -d -p "$seeds")
    mkdir -p "fuzz/corpus/$h" "$build/corpus/$h"
    cp -r "fuzz/corpus/$h/." "$old/"
    find "fuzz/corpus/$h" -type f -delete
    "$build/fuzz/fuzz_$h" -merge=1 -max_len=16384 "fuzz/corpus/$h" "$old" "$seeds/$h" \
      "$build/corpus/$h" >"$seeds/merge_$h.log" 2>&1 || { tail -30 "$seeds/merge_$h.log"; exit 1; }
    echo "$h: $(find "fuzz/corpus/$h" -type f | wc -l) inputs, $(du -sh "fuzz/corpus/$h" | cut -f1)"
  done
  exit 0
fi

seconds=${1:-60}
shift || true
[ $# -gt 0 ] && harnesses=("$@")
for h in "${harnesses[@]}"; do
  mkdir -p "$build/corpus/$h" "$build/artifacts/$h"
  echo "== fuzz_$h: ${seconds}s"
  # -fork would use more cores; one process keeps a shared 2-core machine usable.
  "$build/fuzz/fuzz_$h" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$h/" \
    "$build/corpus/$h" "fuzz/corpus/$h" 2>"$build/fuzz_$h.log" || {
    tail -60 "$build/fuzz_$h.log"
    echo "fuzz_$h FAILED: reproducer in $build/artifacts/$h/" >&2
    exit 1
  }
  grep -E '^#[0-9]+.*(DONE|cov:)' "$build/fuzz_$h.log" | tail -1
  grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$build/fuzz_$h.log"
done
