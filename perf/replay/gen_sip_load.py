#!/usr/bin/env python3
"""Writes a SIP-only load capture fast (no scapy): N calls of INVITE(SDP) / 100 / 180 / 200(SDP) /
ACK / BYE / 200 over UDP between many UAs, calls overlapping, for end-to-end SIP throughput runs.

  /usr/bin/python3 perf/replay/gen_sip_load.py --calls 100000 --out /tmp/sip_load.pcap
"""
import argparse
import struct

SDP = ("v=0\r\no=- {n} 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp


def message(first_line, call, cseq, method, a, b, body=""):
    hdr = (f"{first_line}\r\n"
           f"Via: SIP/2.0/UDP {a}:5060;branch=z9hG4bK{call}-{cseq}-{method}\r\n"
           f"From: <sip:u{call}@{a}>;tag=f{call}\r\n"
           f"To: <sip:v{call}@{b}>" + (f";tag=t{call}" if not first_line.startswith("INVITE") else "") + "\r\n"
           f"Call-ID: load-{call}@{a}\r\nCSeq: {cseq} {method}\r\nMax-Forwards: 70\r\n"
           f"Contact: <sip:u{call}@{a}:5060>\r\n")
    if body:
        hdr += "Content-Type: application/sdp\r\n"
    hdr += f"Content-Length: {len(body)}\r\n\r\n{body}"
    return hdr.encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=100000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = open(args.out, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t = 1_700_000_000.0
    frames = 0
    for c in range(args.calls):
        a_ip = [10, 1, (c >> 8) & 255, c & 255]
        b_ip = [10, 2, (c >> 8) & 255, c & 255]
        a, b = ".".join(map(str, a_ip)), ".".join(map(str, b_ip))
        ruri = f"sip:v{c}@{b}"
        steps = [
            (a_ip, b_ip, message(f"INVITE {ruri} SIP/2.0", c, 1, "INVITE", a, b, SDP.format(n=c, ip=a, port=20000 + (c % 20000) * 2))),
            (b_ip, a_ip, message("SIP/2.0 100 Trying", c, 1, "INVITE", a, b)),
            (b_ip, a_ip, message("SIP/2.0 180 Ringing", c, 1, "INVITE", a, b)),
            (b_ip, a_ip, message("SIP/2.0 200 OK", c, 1, "INVITE", a, b, SDP.format(n=c, ip=b, port=30000 + (c % 15000) * 2))),
            (a_ip, b_ip, message(f"ACK {ruri} SIP/2.0", c, 1, "ACK", a, b)),
            (a_ip, b_ip, message(f"BYE {ruri} SIP/2.0", c, 2, "BYE", a, b)),
            (b_ip, a_ip, message("SIP/2.0 200 OK", c, 2, "BYE", a, b)),
        ]
        for i, (s, d, payload) in enumerate(steps):
            f = frame(s, d, 5060, 5060, payload)
            ts = t + c * 0.0005 + i * 0.05
            sec = int(ts)
            out.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(f), len(f)) + f)
            frames += 1
    out.close()
    print(f"{args.out}: {frames} frames, {args.calls} calls")


if __name__ == "__main__":
    main()
