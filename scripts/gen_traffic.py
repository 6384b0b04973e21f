#!/usr/bin/python3
"""Traffic generator: a pcap of N concurrent SIP calls with RTP both ways, plus ground truth.

Each call: INVITE (SDP offer) -> 180 -> 200 (SDP answer) -> ACK, RTP in both directions for
--duration seconds (20 ms packets), then BYE -> 200. Impairments are applied per RTP packet in
this order: loss (dropped, never captured), network jitter (each packet delayed by |N(0, sigma)|
ms, which reorders packets naturally when it exceeds the packet interval), explicit reordering
(swap with the next packet), duplication (a copy 0.1-1 ms later). Optional RFC 4733 DTMF
(`--dtmf`): the caller sends one event (3 end packets) per second in its audio stream's SSRC.

Writes FILE.pcap and FILE.json (ground truth): per call the Call-ID and the SDP endpoints with
their payload maps (what a signaling plane learns), per stream what was sent, dropped,
duplicated and reordered and what was captured. With --tshark, also tshark's own
`-z rtp,streams` numbers for each stream (packets, lost, mean/max jitter).

Run with Debian's python3-scapy:  /usr/bin/python3 scripts/gen_traffic.py --calls 4 --out x.pcap
"""

import argparse
import json
import random
import re
import struct
import subprocess
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import PcapWriter

CODECS = {
    # name: (payload type, rtpmap encoding, clock rate, payload bytes per 20 ms)
    "pcma": (8, "PCMA", 8000, 160),
    "pcmu": (0, "PCMU", 8000, 160),
    "g729": (18, "G729", 8000, 20),
    "opus": (111, "opus", 48000, 80),
}
DTMF_PT = 101
PTIME_S = 0.020


def sip_message(start_line, headers, body=""):
    lines = [start_line] + [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(body)}", "", ""]
    return ("\r\n".join(lines) + body).encode()


def sdp(addr, port, codec, session_id):
    pt, enc, clock, _ = CODECS[codec]
    opus_ch = "/2" if codec == "opus" else ""
    return (
        "v=0\r\n"
        f"o=- {session_id} 1 IN IP4 {addr}\r\n"
        "s=-\r\n"
        f"c=IN IP4 {addr}\r\n"
        "t=0 0\r\n"
        f"m=audio {port} RTP/AVP {pt} {DTMF_PT}\r\n"
        f"a=rtpmap:{pt} {enc}/{clock}{opus_ch}\r\n"
        f"a=rtpmap:{DTMF_PT} telephone-event/8000\r\n"
        f"a=fmtp:{DTMF_PT} 0-16\r\n"
        "a=ptime:20\r\n"
    )


class Capture:
    """Collects (time, frame) pairs and writes them sorted by time."""

    def __init__(self):
        self.frames = []
        self.mac_a = "02:00:00:00:00:01"
        self.mac_b = "02:00:00:00:00:02"

    def udp(self, t, src, sport, dst, dport, payload):
        frame = Ether(src=self.mac_a, dst=self.mac_b) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload)
        self.frames.append((t, len(self.frames), frame))

    def write(self, path):
        writer = PcapWriter(path, linktype=1, sync=False)
        for t, _, frame in sorted(self.frames, key=lambda x: (x[0], x[1])):
            frame.time = t
            writer.write(frame)
        writer.close()


def rtp_packet(pt, marker, seq, ts, ssrc, payload):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def dtmf_payload(event, end, duration):
    return struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)


def media_stream(rng, args, start, n_packets, codec, ssrc, dtmf):
    """Returns (captured [(time, rtp bytes, seq)], truth dict) for one direction."""
    pt, _, clock, size = CODECS[codec]
    step = int(clock * PTIME_S)
    seq0 = args.seq_start if args.seq_start is not None else rng.randrange(0, 65536)
    ts0 = args.ts_start if args.ts_start is not None else rng.randrange(0, 1 << 32)
    sent = []
    for i in range(n_packets):
        t = start + i * PTIME_S
        seq = seq0 + len(sent)
        if dtmf and i % 50 == 25 and i + 6 < n_packets:
            # RFC 4733: one event, 3 updates + 3 end packets, one timestamp, seq keeps counting.
            ev_ts = ts0 + i * step
            for k in range(6):
                end = k >= 3
                sent.append((t + k * 0.003, rtp_packet(DTMF_PT, k == 0, seq0 + len(sent), ev_ts, ssrc,
                                                         dtmf_payload(5, end, 160 * min(k + 1, 4))), seq0 + len(sent)))
            continue
        payload = bytes([0xD5]) * size
        sent.append((t, rtp_packet(pt, i == 0, seq, ts0 + i * step, ssrc, payload), seq))
    truth = {"sent": len(sent), "dropped": 0, "duplicated": 0, "reordered": 0}
    kept = []
    dropped_seqs = []
    for t, pkt, seq in sent:
        if rng.random() < args.loss:
            truth["dropped"] += 1
            dropped_seqs.append(seq)
            continue
        delay = abs(rng.gauss(0, args.jitter_ms)) / 1000.0 if args.jitter_ms > 0 else 0.0
        kept.append([t + delay, pkt, seq])
    i = 0
    while i + 1 < len(kept):
        if rng.random() < args.reorder:
            kept[i][0], kept[i + 1][0] = kept[i + 1][0] + 1e-5, kept[i][0]
            truth["reordered"] += 1
            i += 2
        else:
            i += 1
    out = []
    for t, pkt, seq in kept:
        out.append((t, pkt, seq))
        if rng.random() < args.dup:
            out.append((t + rng.uniform(0.0001, 0.001), pkt, seq))
            truth["duplicated"] += 1
    out.sort(key=lambda x: x[0])
    truth["packets"] = len(out)
    # Do the first and last captured packets carry the lowest and highest sequence numbers?
    # Then Wireshark's lost (expected from first/last) equals the drops between them minus the
    # duplicates: drops before the first or after the last captured packet are invisible.
    seqs = [s for _, _, s in out]
    truth["edges_in_order"] = bool(seqs) and seqs[0] == min(seqs) and seqs[-1] == max(seqs)
    truth["visible_dropped"] = sum(1 for s in dropped_seqs if seqs and min(seqs) < s < max(seqs))
    truth["first_seq"] = seq0 & 0xFFFF
    return out, truth


def add_call(cap, rng, args, i, t0):
    call_id = f"gen-{args.seed}-{i}@rvoip.test"
    a_ip, b_ip = f"10.1.{i // 250}.{i % 250 + 1}", f"10.2.{i // 250}.{i % 250 + 1}"
    a_port, b_port = 20000 + 2 * (i % 10000), 30000 + 2 * (i % 10000)
    codec = args.codec
    tag_a, tag_b = f"a{i}", f"b{i}"
    common = [("From", f"<sip:alice{i}@{a_ip}>;tag={tag_a}"), ("Call-ID", call_id)]
    via = ("Via", f"SIP/2.0/UDP {a_ip}:5060;branch=z9hG4bK-{args.seed}-{i}")
    offer = sdp(a_ip, a_port, codec, 1000 + i)
    answer = sdp(b_ip, b_port, codec, 2000 + i)
    ruri = f"sip:bob{i}@{b_ip}"
    to = ("To", f"<{ruri}>")
    to_tag = ("To", f"<{ruri}>;tag={tag_b}")
    sdp_type = ("Content-Type", "application/sdp")
    cap.udp(t0, a_ip, 5060, b_ip, 5060, sip_message(f"INVITE {ruri} SIP/2.0", [via] + common + [to, ("CSeq", "1 INVITE"), ("Contact", f"<sip:alice{i}@{a_ip}:5060>"), sdp_type], offer))
    cap.udp(t0 + 0.05, b_ip, 5060, a_ip, 5060, sip_message("SIP/2.0 180 Ringing", [via] + common + [to_tag, ("CSeq", "1 INVITE")]))
    t_ans = t0 + 0.5
    cap.udp(t_ans, b_ip, 5060, a_ip, 5060, sip_message("SIP/2.0 200 OK", [via] + common + [to_tag, ("CSeq", "1 INVITE"), ("Contact", f"<sip:bob{i}@{b_ip}:5060>"), sdp_type], answer))
    cap.udp(t_ans + 0.01, a_ip, 5060, b_ip, 5060, sip_message(f"ACK {ruri} SIP/2.0", [via] + common + [to_tag, ("CSeq", "1 ACK")]))
    n = int(args.duration / PTIME_S)
    streams = []
    pt, enc, clock, _ = CODECS[codec]
    for (src, sport, dst, dport, dtmf) in ((a_ip, a_port, b_ip, b_port, args.dtmf), (b_ip, b_port, a_ip, a_port, False)):
        ssrc = rng.randrange(1, 1 << 32)
        pkts, truth = media_stream(rng, args, t_ans + 0.02 + rng.uniform(0, 0.02), n, codec, ssrc, dtmf)
        for t, pkt, _ in pkts:
            cap.udp(t, src, sport, dst, dport, pkt)
        truth.update({"src": f"{src}:{sport}", "dst": f"{dst}:{dport}", "ssrc": f"0x{ssrc:08X}",
                      "payload_type": pt, "codec": enc, "call_id": call_id})
        streams.append(truth)
    t_bye = t_ans + 0.04 + args.duration + 0.1
    cap.udp(t_bye, a_ip, 5060, b_ip, 5060, sip_message(f"BYE {ruri} SIP/2.0", [via] + common + [to_tag, ("CSeq", "2 BYE")]))
    cap.udp(t_bye + 0.02, b_ip, 5060, a_ip, 5060, sip_message("SIP/2.0 200 OK", [via] + common + [to_tag, ("CSeq", "2 BYE")]))
    maps = [{"payload_type": pt, "encoding": enc, "clock_rate": clock},
            {"payload_type": DTMF_PT, "encoding": "telephone-event", "clock_rate": 8000}]
    call = {"call_id": call_id, "endpoints": [{"addr": a_ip, "port": a_port, "payload_types": maps},
                                              {"addr": b_ip, "port": b_port, "payload_types": maps}]}
    return call, streams


TSHARK_ROW = re.compile(
    r"^\s*\S+\s+\S+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]{8})\s+.*?\s(\d+)\s+(-?\d+) \(.*?\)\s+"
    r"(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*X?\s*$")


def tshark_streams(pcap):
    out = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "rtp,streams"], capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        m = TSHARK_ROW.match(line)
        if not m:
            continue
        src, sport, dst, dport, ssrc, pkts, lost = m.group(1, 2, 3, 4, 5, 6, 7)
        rows[(f"{src}:{sport}", f"{dst}:{dport}", ssrc.upper().replace("0X", "0x"))] = {
            "packets": int(pkts), "lost": int(lost),
            "mean_jitter_ms": float(m.group(12)), "max_jitter_ms": float(m.group(13))}
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2)
    ap.add_argument("--duration", type=float, default=3.0, help="seconds of media per call")
    ap.add_argument("--stagger", type=float, default=0.3, help="seconds between call starts")
    ap.add_argument("--codec", choices=sorted(CODECS), default="pcma")
    ap.add_argument("--loss", type=float, default=0.0, help="probability a packet is dropped")
    ap.add_argument("--reorder", type=float, default=0.0, help="probability a packet swaps with the next")
    ap.add_argument("--dup", type=float, default=0.0, help="probability a packet is duplicated")
    ap.add_argument("--jitter-ms", type=float, default=0.0, help="sigma of |N(0, sigma)| network delay")
    ap.add_argument("--dtmf", action="store_true", help="RFC 4733 events in the caller's stream")
    ap.add_argument("--seq-start", type=int, default=None, help="first sequence number (default random)")
    ap.add_argument("--ts-start", type=int, default=None, help="first RTP timestamp (default random)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tshark", action="store_true", help="add tshark's rtp,streams numbers to the truth")
    ap.add_argument("--out", required=True, help="output .pcap (truth goes to the same name .json)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    cap = Capture()
    t0 = 1_700_000_000.0
    calls, streams = [], []
    for i in range(args.calls):
        call, s = add_call(cap, rng, args, i, t0 + i * args.stagger)
        calls.append(call)
        streams.extend(s)
    cap.write(args.out)
    if args.tshark:
        ts = tshark_streams(args.out)
        for s in streams:
            s["tshark"] = ts.get((s["src"], s["dst"], s["ssrc"]))
    truth = {"generator": {k: v for k, v in vars(args).items() if k not in ("out", "tshark")},
             "calls": calls, "streams": streams}
    json_path = args.out.rsplit(".", 1)[0] + ".json"
    with open(json_path, "w") as f:
        json.dump(truth, f, indent=1)
    print(f"{args.out}: {len(cap.frames)} frames, {len(streams)} streams; truth in {json_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
