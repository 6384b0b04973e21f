#!/usr/bin/python3
"""Writes what a HEP collector receives from an agent (heplify, captagent) that captured a plain
SIP capture: every SIP frame of --plain sent as HEPv3 (even frames) or HEPv2 (odd frames) over
UDP to --port, the capture time inside the HEP header and the outer frame one second later (so a
reader that uses the outer time gets other timestamps). Then the malformed cases, one each:
a HEPv3 chunk whose length runs past the end, a HEPv3 total length above the datagram, a HEPv2
with an unknown address family. Prints {"frames", "sip", "bad"} as JSON.

  /usr/bin/python3 scripts/gen_hep.py --plain tests/data/generated/g711_impaired.pcap --out /tmp/hep.pcap
"""
import argparse
import json
import socket
import struct

from scapy.all import IP, UDP, Ether, IPv6, RawPcapWriter, rdpcap

AGENT, COLLECTOR = "192.0.2.50", "192.0.2.60"


def chunk(ctype, value):
    return struct.pack("!HHH", 0, ctype, 6 + len(value)) + value


def hep3(ip, udp, sec, usec):
    v6 = ip.version == 6
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    body = b"".join([
        chunk(1, bytes([10 if v6 else 2])),
        chunk(2, bytes([17])),
        chunk(5 if v6 else 3, socket.inet_pton(fam, ip.src)),
        chunk(6 if v6 else 4, socket.inet_pton(fam, ip.dst)),
        chunk(7, struct.pack("!H", udp.sport)),
        chunk(8, struct.pack("!H", udp.dport)),
        chunk(9, struct.pack("!I", sec)),
        chunk(10, struct.pack("!I", usec)),
        chunk(11, bytes([1])),  # SIP
        chunk(12, struct.pack("!I", 2001)),  # capture agent id
        chunk(15, bytes(udp.payload)),
    ])
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def hep2(ip, udp, sec, usec):
    v6 = ip.version == 6
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    addrs = socket.inet_pton(fam, ip.src) + socket.inet_pton(fam, ip.dst)
    hdr = struct.pack("!BBBBHH", 2, 0, 10 if v6 else 2, 17, udp.sport, udp.dport) + addrs
    hdr += struct.pack("<IIHH", sec, usec, 2001, 0)  # captagent: host byte order (x86)
    hdr = hdr[:1] + bytes([len(hdr)]) + hdr[2:]
    return hdr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plain", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, default=9060)
    args = ap.parse_args()
    w = RawPcapWriter(args.out, linktype=1, sync=False)
    w.write_header(None)
    n = sip = 0
    last = 0
    for i, f in enumerate(rdpcap(args.plain)):
        ip = f[IP] if IP in f else f[IPv6] if IPv6 in f else None
        if ip is None or UDP not in f or 5060 not in (f[UDP].sport, f[UDP].dport):
            continue
        sec = int(f.time)
        usec = int(round((f.time - sec) * 1_000_000))
        payload = hep3(ip, f[UDP], sec, usec) if sip % 2 == 0 else \
            hep2(ip, f[UDP], sec, usec) + bytes(f[UDP].payload)
        out = Ether(src="02:aa:00:00:00:32", dst="02:aa:00:00:00:3c") / IP(src=AGENT, dst=COLLECTOR) / UDP(sport=40000, dport=args.port) / payload
        w.write_packet(bytes(out), sec=sec + 1, usec=usec)
        n += 1
        sip += 1
        last = sec + 1
    opt = b"OPTIONS sip:a@b SIP/2.0\r\n\r\n"
    good = hep3(IP(src="10.0.0.1", dst="10.0.0.2"), UDP(sport=5060, dport=5060) / opt, 1, 0)
    at = len(good) - len(opt) - 2  # the payload chunk's length field
    bad_chunk = good[:at] + struct.pack("!H", 500) + good[at + 2:]
    bad_total = good[:4] + struct.pack("!H", len(good) + 10) + good[6:]
    bad_family = bytes([2, 28, 7, 17]) + bytes(24) + opt
    for p in (bad_chunk, bad_total, bad_family):
        out = Ether(src="02:aa:00:00:00:32", dst="02:aa:00:00:00:3c") / IP(src=AGENT, dst=COLLECTOR) / UDP(sport=40000, dport=args.port) / p
        w.write_packet(bytes(out), sec=last + 1, usec=0)
        n += 1
    w.close()
    print(json.dumps({"frames": n, "sip": sip,
                      "bad": {"bad_chunk_length": 1, "truncated": 1, "bad_family": 1}}))


if __name__ == "__main__":
    main()
