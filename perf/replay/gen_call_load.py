#!/usr/bin/env python3
"""Writes a SIP + RTP load capture in time order (no scapy): N calls, a new one every
--interval-ms, each INVITE(SDP) / 100 / 180 / 200(SDP) / ACK, then --rtp packets of G.711A
(20 ms) in each direction, then BYE / 200. Every --loss-every-th stream loses one packet, so the
exact loss is known. Prints the ground truth (calls, streams, packets, lost) as JSON on stdout.

  /usr/bin/python3 perf/replay/gen_call_load.py --calls 100000 --out /tmp/call_load.pcap
"""
import argparse
import heapq
import json
import struct

from gen_sip_load import SDP, checksum, message  # same SIP dialect as the SIP-only load


def ip_of(side, c):
    return [10, side * 16 + (c >> 16), (c >> 8) & 255, c & 255]


def udp_frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp


def call_frames(c, t0, rtp_packets, lose):
    """(timestamp, frame) of call c in time order."""
    a_ip, b_ip = ip_of(1, c), ip_of(2, c)
    a, b = ".".join(map(str, a_ip)), ".".join(map(str, b_ip))
    a_port, b_port = 20000 + (c % 20000) * 2, 30000 + (c % 15000) * 2
    ruri = f"sip:v{c}@{b}"
    sip = [
        (a_ip, b_ip, message(f"INVITE {ruri} SIP/2.0", c, 1, "INVITE", a, b, SDP.format(n=c, ip=a, port=a_port))),
        (b_ip, a_ip, message("SIP/2.0 100 Trying", c, 1, "INVITE", a, b)),
        (b_ip, a_ip, message("SIP/2.0 180 Ringing", c, 1, "INVITE", a, b)),
        (b_ip, a_ip, message("SIP/2.0 200 OK", c, 1, "INVITE", a, b, SDP.format(n=c, ip=b, port=b_port))),
        (a_ip, b_ip, message(f"ACK {ruri} SIP/2.0", c, 1, "ACK", a, b)),
    ]
    t = t0
    for s, d, payload in sip:
        yield t, udp_frame(s, d, 5060, 5060, payload)
        t += 0.010
    payload = b"\xd5" * 160
    for k in range(rtp_packets):
        for direction, (s, d, sp, dp) in enumerate(((a_ip, b_ip, a_port, b_port), (b_ip, a_ip, b_port, a_port))):
            if lose and direction == 0 and k == rtp_packets // 2:
                continue
            ssrc = (c * 2 + direction + 1) & 0xFFFFFFFF
            rtp = struct.pack("!BBHII", 0x80, 8, (1000 + k) & 0xFFFF, 160 * k, ssrc) + payload
            yield t + k * 0.020 + direction * 0.001, udp_frame(s, d, sp, dp, rtp)
    t += rtp_packets * 0.020 + 0.010
    yield t, udp_frame(a_ip, b_ip, 5060, 5060, message(f"BYE {ruri} SIP/2.0", c, 2, "BYE", a, b))
    yield t + 0.010, udp_frame(b_ip, a_ip, 5060, 5060, message("SIP/2.0 200 OK", c, 2, "BYE", a, b))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=100000)
    ap.add_argument("--rtp", type=int, default=11, help="RTP packets per direction")
    ap.add_argument("--interval-ms", type=float, default=0.5, help="between call starts")
    ap.add_argument("--loss-every", type=int, default=50, help="every Nth call loses a packet")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    start = 1_700_000_000.0
    calls = (call_frames(c, start + c * args.interval_ms / 1000.0, args.rtp,
                         args.loss_every > 0 and c % args.loss_every == 0)
             for c in range(args.calls))
    frames = 0
    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        # Calls start in order and last < 1 s: merging a sliding window of them keeps time order.
        for ts, f in window_merge(calls, args):
            sec = int(ts)
            out.write(struct.pack("<IIII", sec, int(round((ts - sec) * 1e6)) % 1000000, len(f), len(f)) + f)
            frames += 1
    lost = sum(1 for c in range(args.calls) if args.loss_every > 0 and c % args.loss_every == 0)
    print(json.dumps({"file": args.out, "frames": frames, "calls": args.calls, "streams": 2 * args.calls,
                      "rtp_packets": 2 * args.calls * args.rtp - lost, "lost": lost}))


def window_merge(calls, args):
    """heapq.merge over a bounded window of live calls (a call lasts well under a second)."""
    heap = []
    seq = 0
    for c, gen in enumerate(calls):
        t_start = 1_700_000_000.0 + c * args.interval_ms / 1000.0
        while heap and heap[0][0] < t_start:
            ts, _, f, g = heapq.heappop(heap)
            yield ts, f
            nxt = next(g, None)
            if nxt is not None:
                seq += 1
                heapq.heappush(heap, (nxt[0], seq, nxt[1], g))
        first = next(gen)
        seq += 1
        heapq.heappush(heap, (first[0], seq, first[1], gen))
    while heap:
        ts, _, f, g = heapq.heappop(heap)
        yield ts, f
        nxt = next(g, None)
        if nxt is not None:
            seq += 1
            heapq.heappush(heap, (nxt[0], seq, nxt[1], g))


if __name__ == "__main__":
    main()
