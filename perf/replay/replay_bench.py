#!/usr/bin/env python3
"""End-to-end replay benchmark: rvoipd beside tshark on the same capture, in the same run.

For each capture it runs, alternately and --repeat times:
  - rvoipd --pcap CAPTURE --report R (whole process: start-up, replay, drain, report, exit);
  - tshark -q -n -r CAPTURE -z rtp,streams (or sip,stat with --tshark-stat sip).
It prints the median whole-process time and peak RSS of both, rvoipd's own replay time (the
report's wall_seconds), the ratios the issues quote, and, with --truth (the JSON that
gen_call_load.py / gen_sip_load.py print), whether every call and stream came out exact.

  /usr/bin/python3 perf/replay/replay_bench.py --rvoipd build/control/rvoipd \\
      --truth /tmp/call100k.truth.json /tmp/call100k.pcap
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_measured(cmd):
    """(seconds, peak RSS in MiB, returncode) of one process, stdout discarded."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.exit(f"{cmd[0]} failed ({rc}):\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024.0, rc


def check_truth(report, truth):
    calls = report["calls"]
    streams = report["streams"]
    problems = []
    if len(calls) != truth["calls"]:
        problems.append(f"calls {len(calls)} != {truth['calls']}")
    answered = sum(1 for c in calls if c["result"] == "answered")
    if answered != truth["calls"]:
        problems.append(f"answered {answered} != {truth['calls']}")
    if "streams" in truth:
        if len(streams) != truth["streams"]:
            problems.append(f"streams {len(streams)} != {truth['streams']}")
        packets = sum(s["packets"] for s in streams)
        lost = sum(s["lost"] for s in streams)
        if packets != truth["rtp_packets"]:
            problems.append(f"rtp packets {packets} != {truth['rtp_packets']}")
        if lost != truth["lost"]:
            problems.append(f"lost {lost} != {truth['lost']}")
        unassociated = sum(1 for s in streams if s["call_id"] is None)
        if unassociated:
            problems.append(f"{unassociated} streams without their call")
    for key in ("calls_not_reported", "streams_not_reported"):
        if report.get(key, 0):
            problems.append(f"{key} = {report[key]}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rvoipd", default="build/control/rvoipd")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tshark-stat", choices=["rtp", "sip", "none"], default="rtp")
    ap.add_argument("--truth", help="ground truth JSON printed by the generator")
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()

    truth = json.load(open(args.truth)) if args.truth else None
    for cap in args.captures:
        with tempfile.TemporaryDirectory() as tmp:
            report_path = os.path.join(tmp, "report.json")
            rv_cmd = [args.rvoipd, "--pcap", cap, "--report", report_path,
                      "--set", "control.metrics_enabled=false",
                      "--set", f"dataplane.workers={args.workers}"]
            stat = {"rtp": "rtp,streams", "sip": "sip,stat"}.get(args.tshark_stat)
            ts_cmd = ["tshark", "-q", "-n", "-r", cap, "-z", stat] if stat else None
            rv, ts, replay = [], [], []
            for _ in range(args.repeat):
                rv.append(run_measured(rv_cmd))
                with open(report_path) as f:
                    report = json.load(f)
                replay.append(report["wall_seconds"])
                if ts_cmd:
                    ts.append(run_measured(ts_cmd))
            rv_t = statistics.median(x[0] for x in rv)
            rv_m = max(x[1] for x in rv)
            rep_t = statistics.median(replay)
            frames = report["packets"]["total"] if "total" in report["packets"] else None
            print(f"== {cap} ({args.workers} worker(s), median of {args.repeat})")
            print(f"rvoipd whole process   {rv_t:8.3f} s   peak RSS {rv_m:7.1f} MiB")
            print(f"rvoipd replay          {rep_t:8.3f} s   whole/replay = {rv_t / rep_t if rep_t else 0:.2f}x")
            if frames:
                print(f"rvoipd frames          {frames}  ({frames / rv_t / 1e6:.2f} Mframes/s whole process)")
            if ts:
                ts_t = statistics.median(x[0] for x in ts)
                ts_m = max(x[1] for x in ts)
                print(f"tshark -z {stat:11s}  {ts_t:8.3f} s   peak RSS {ts_m:7.1f} MiB")
                print(f"speed-up vs tshark     {ts_t / rv_t:8.2f}x   (rvoipd time = {rv_t / ts_t:.2f} of tshark's)")
            if truth:
                problems = check_truth(report, truth)
                print("exact vs truth         " + ("yes" if not problems else "NO: " + "; ".join(problems)))


if __name__ == "__main__":
    main()
