#!/usr/bin/env bash
# The newcomer's command: installs what is missing, builds rvoipd (release) and replays the
# bundled sample call (SIP + RTP + RTCP, Wireshark's classic SIP_CALL_RTP_G711) through the
# appliance with a live progress line, prints the summary and leaves the JSON report beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build=${RVOIP_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release
fi
ninja -C "$build" control/rvoipd

capture=${1:-tests/data/pcaps/heplify_rtp_rtcp_sip_ipv4_udp.pcap}
report=${2:-demo-report.json}
echo "== rvoipd replaying $capture"
"$build/control/rvoipd" --pcap "$capture" --report "$report" --set control.progress=on \
  --set control.metrics_listen=127.0.0.1:9464
echo "== JSON report: $report (calls and streams below)"
/usr/bin/python3 - "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))

def show(v, fmt="{}"):
    """A report value for a person: '-' where the report has null (not known)."""
    return "-" if v is None else fmt.format(v)

for c in r["calls"]:
    print(f"  call {c['call_id']}: {c['result']} (state {c['state']}, final {show(c['final_code'])}, "
          f"setup {show(c['setup_ms'])} ms, {len(c['streams'])} streams)")
for s in r["streams"]:
    print(f"  stream {s['src']} -> {s['dst']} {s['ssrc']} {show(s['codec'])}: {s['packets']} pkts, "
          f"lost {s['lost']}, jitter mean/max {show(s['jitter_mean_ms'], '{:.3f}')}/"
          f"{show(s['jitter_max_ms'], '{:.3f}')} ms, MOS {show(s['mos'], '{:.2f}')}")
PY
