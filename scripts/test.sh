#!/usr/bin/env bash
# The one command that tests rvoip-appliance: installs missing Debian packages, builds (release,
# warnings as errors) and runs every meson test suite (unit and integration); then builds the
# parsers' tests with AddressSanitizer + UBSan and runs them on every truncation, the RFC 4475
# torture messages and the fuzz seed corpora.
# Usage: scripts/test.sh [extra `meson test` arguments, e.g. --suite unit]
#        RVOIP_SKIP_ASAN=1 scripts/test.sh   (skip the sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${RVOIP_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release
else
  meson setup --reconfigure "$build" >/dev/null
fi
ninja -C "$build"
# Integration tests bring up DPDK with --no-huge; 2 jobs keep a 2-core machine responsive.
meson test -C "$build" --print-errorlogs --num-processes 2 "$@"

if [ -z "${RVOIP_SKIP_ASAN:-}" ] && [ $# -eq 0 ]; then
  asan_tests=(
    dataplane_packet_parser
    fuzz_seed_corpus
    media_packet_parse
    signaling_rfc4475
    signaling_sdp_parser
    signaling_sip_parser
    signaling_tcp_reassembly
    transport_classifier
  )
  asan=${build}-asan
  if [ ! -f "$asan/build.ninja" ]; then
    # werror off: GCC 12 reports false -Wstringop-overflow under the sanitizers.
    meson setup "$asan" --buildtype=debugoptimized -Db_sanitize=address,undefined \
      -Db_lundef=false -Dwerror=false -Dperf=disabled
  fi
  # Build just those binaries (a plain `meson test` would build the whole tree again).
  ninja -C "$asan" tests/dataplane/test_packet_parser tests/planes/fuzz/test_fuzz_seed_corpus \
    tests/planes/media/test_media_packet_parse tests/planes/signaling/test_signaling_rfc4475 \
    tests/planes/signaling/test_signaling_sdp_parser tests/planes/signaling/test_signaling_sip_parser \
    tests/planes/signaling/test_signaling_tcp_reassembly tests/planes/transport/test_transport_classifier
  meson test -C "$asan" --no-rebuild --print-errorlogs --num-processes 2 "${asan_tests[@]}"
fi
