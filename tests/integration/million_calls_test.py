#!/usr/bin/env python3
"""A 1 000 000-call SIP capture replays with every call in the report (issue 10).

Generates the capture with perf/replay/gen_sip_load.py (7 M frames: INVITE/100/180/200/ACK/BYE/200
per call), replays it through the real rvoipd and checks that the report holds every call,
answered, with its setup time, and that nothing was left out or dropped on the way.
Environment: RVOIPD (the binary), RV_SOURCE_ROOT; RV_MILLION_CALLS overrides the count.
"""
import json
import os
import subprocess
import sys
import tempfile

calls = int(os.environ.get("RV_MILLION_CALLS", "1000000"))
root = os.environ["RV_SOURCE_ROOT"]
rvoipd = os.environ["RVOIPD"]

with tempfile.TemporaryDirectory() as tmp:
    cap = os.path.join(tmp, "sip_load.pcap")
    rep = os.path.join(tmp, "report.json")
    subprocess.run([sys.executable, os.path.join(root, "perf/replay/gen_sip_load.py"),
                    "--calls", str(calls), "--out", cap], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([rvoipd, "--pcap", cap, "--report", rep, "--set", "control.metrics_enabled=false",
                    "--set", f"planes.signaling.max_calls={max(131072, calls)}"], check=True,
                   stdout=subprocess.DEVNULL)
    os.remove(cap)
    with open(rep) as f:
        report = json.load(f)

failures = []
def expect(ok, what):
    if not ok:
        failures.append(what)

reported = report["calls"]
expect(len(reported) == calls, f"{len(reported)} calls in the report, {calls} in the capture")
ids = {c["call_id"] for c in reported}
expect(len(ids) == calls, f"{len(ids)} distinct Call-IDs")
answered = sum(1 for c in reported if c["result"] == "answered")
expect(answered == calls, f"{answered} answered")
expect(all(c["setup_ms"] is not None for c in reported), "a call without its setup time")
expect(report["sip"]["requests"].get("INVITE") == calls, f"INVITE count {report['sip']['requests'].get('INVITE')}")
for key in ("calls_not_reported", "streams_not_reported"):
    expect(report.get(key, 0) == 0, f"{key} = {report.get(key)}")
for name, e in report["events"].items():
    expect(not e["dropped"], f"event {name} dropped {e['dropped']}")
expect(report["events"]["signaling.call"]["published"] > 0, "no signaling.call event")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"ok: {calls} calls, all answered, nothing dropped")
