#!/usr/bin/python3
"""Builds the fuzzers' seed inputs from tests/data (captures, RFC 4475 messages, the PJSIP
OSS-Fuzz seeds, config examples), in each harness's input format (see the harness sources).
Usage: fuzz/make_seeds.py OUT_DIR   (writes OUT_DIR/<harness>/...; scripts/fuzz.sh merges them
into fuzz/corpus/<harness> with libFuzzer's -merge=1, which keeps only inputs adding coverage)."""

import logging
import pathlib
import struct
import subprocess
import sys
import tempfile

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, TCP, UDP, Ether, Raw, fragment, fragment6, IPv6ExtHdrFragment, rdpcap  # noqa

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests/data"
PJ = DATA / "fuzz/pjproject"
LINKS = {1: 0, 101: 1, 113: 2, 276: 3, 0: 4}  # pcap link type -> packet_fuzzer selector
MAX_FRAMES = 48


def chunk(b: bytes) -> bytes:
    return struct.pack(">H", min(len(b), 0xFFFF)) + b[:0xFFFF]


def captures():
    # SIP over SCTP, WebSocket and TLS (scripts/gen_sip_transports.py).
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, str(ROOT / "scripts/gen_sip_transports.py"), "--out-dir", d],
                       check=True, stdout=subprocess.DEVNULL)
        for p in sorted(pathlib.Path(d).glob("*.pcap")):
            yield "transport_" + p.stem, rdpcap(str(p)), 1
    for p in sorted(list((DATA / "pcaps").glob("*.pcap*")) + list((DATA / "sipp").glob("*.pcap")) +
                    list((DATA / "generated").glob("*.pcap"))):
        pkts = rdpcap(str(p))
        yield p.stem, pkts, getattr(pkts, "linktype", 1) if hasattr(pkts, "linktype") else 1


def write(out: pathlib.Path, harness: str, name: str, data: bytes):
    d = out / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    out = pathlib.Path(sys.argv[1])
    for f in sorted((DATA / "rfc4475").glob("*.dat")) + sorted((PJ / "fuzz-sip").iterdir()) + \
            sorted((PJ / "fuzz-sip-dialog").iterdir()):
        write(out, "sip_parser", f.name, f.read_bytes())
        write(out, "call_tracker", f.name, bytes([12, 0, 0, 0, 1]) + chunk(f.read_bytes()))
    for f in sorted((PJ / "fuzz-sdp").iterdir()):
        write(out, "sdp_parser", f.name, f.read_bytes())
    for f in sorted((PJ / "fuzz-rtp").iterdir()):
        write(out, "media", f.name, bytes([0, 0, 1]) + chunk(f.read_bytes()))
    for f in sorted((PJ / "fuzz-rtcp").iterdir()):
        write(out, "media", f.name, bytes([1, 0, 1]) + chunk(f.read_bytes()))
    for f in sorted((ROOT / "config/examples").glob("*.yaml")):
        write(out, "config", f.name, b"\0" + f.read_bytes())
    write(out, "config", "sets", b"\1dataplane.workers=2\nplanes.signaling.max_calls=10\ncontrol.progress=off\n")

    # Call state machine programs: kind, call, cseq step, flags, time step (see the harness).
    invite, r100, r180, r183, r200, ack, bye, cancel, final, register, options, update = range(12)
    programs = {
        "answered": [(invite, 0, 0, 1, 1), (r100, 0, 0, 0x12, 1), (r180, 0, 0, 0x16, 1),
                     (r200, 0, 0, 0x17, 5), (ack, 0, 0, 4, 1), (bye, 0, 1, 4, 100),
                     (r200, 0, 0, 0x26, 1)],
        "cancelled": [(invite, 1, 0, 1, 1), (r180, 1, 0, 0x16, 1), (cancel, 1, 0, 0, 10),
                      (r200, 1, 0, 0x06, 1), (final, 1, 0, 0xD6, 1), (ack, 1, 0, 4, 1)],
        "rejected": [(invite, 2, 0, 1, 1), (final, 2, 0, 0xB6, 1), (ack, 2, 0, 4, 1)],
        "reinvite": [(invite, 0, 0, 1, 1), (r200, 0, 0, 0x17, 5), (ack, 0, 0, 4, 1),
                     (invite, 0, 1, 0x45, 50), (r200, 0, 0, 0x57, 1), (update, 0, 1, 4, 1),
                     (bye, 0, 1, 6, 100), (r200, 0, 0, 0x24, 1)],
        "timeout": [(invite, 0, 0, 1, 1), (r180, 0, 0, 0x16, 0xFF), (invite, 1, 0, 1, 0xFF),
                    (register, 2, 0, 0, 1), (options, 2, 1, 0, 1)],
    }
    for name, ops in programs.items():
        write(out, "call_tracker", name, b"".join(bytes(op) for op in ops))

    for stem, pkts, link in captures():
        sel = LINKS.get(link, 0)
        frames = b"".join(bytes([1]) + chunk(bytes(p)) for p in pkts[:MAX_FRAMES])
        write(out, "packet", stem, bytes([sel]) + frames)
        rtp, tcp, sip = b"", b"", b""
        flows = {}
        for p in pkts:
            if UDP in p and len(rtp) < 4096:
                pl = bytes(p[UDP].payload)
                if len(pl) >= 8 and 0x80 <= pl[0] <= 0xBF:
                    op = 1 if 200 <= pl[1] <= 204 else 0
                    key = (p[UDP].sport, p[UDP].dport)
                    which = flows.setdefault(key, len(flows) % 8)
                    rtp += bytes([op, which, 2]) + chunk(pl)
                elif pl[:3] in (b"INV", b"SIP", b"ACK", b"BYE", b"CAN", b"REG", b"OPT"):
                    sip += bytes([12, 0, 0, 0, 1]) + chunk(pl)
                    if b"\r\n\r\nv=0" in pl:
                        sdp = pl.split(b"\r\n\r\n", 1)[1]
                        write(out, "sdp_parser", "%s_%d" % (stem, len(sdp)), sdp)
            if TCP in p and len(tcp) < 8192 and (len(p[TCP].payload) or p[TCP].flags & 0x5):
                key = (p[TCP].sport, p[TCP].dport)
                which = flows.setdefault(key, len(flows) % 8)
                tcp += bytes([which, int(p[TCP].flags) & 0x3F, 1, 0, 0]) + chunk(bytes(p[TCP].payload))
        if rtp:
            write(out, "media", stem, rtp)
        if tcp:
            write(out, "tcp_sip", stem, tcp)
        if sip:
            write(out, "call_tracker", stem + ".raw", sip[:8192])
        frags = [p for p in pkts if (IP in p and (p[IP].flags.MF or p[IP].frag)) or IPv6ExtHdrFragment in p]
        if frags:
            write(out, "ip_reassembly", stem, bytes([sel]) + b"".join(bytes([1, 0]) + chunk(bytes(p)) for p in frags))

    # IPv4 and IPv6 fragments of a SIP INVITE, in order, reversed, and with an overlap.
    body = (DATA / "rfc4475/wsinv.dat").read_bytes() if (DATA / "rfc4475/wsinv.dat").exists() else b"x" * 1400
    v4 = fragment(Ether() / IP(src="10.0.0.1", dst="10.0.0.2", id=7) / UDP(sport=5060, dport=5060) / Raw(body * 3), 512)
    v6 = fragment6(Ether() / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrFragment(id=9) /
                   UDP(sport=5060, dport=5060) / Raw(body * 3), 600)
    for name, fr in (("v4", v4), ("v4_reversed", list(reversed(v4))), ("v6", v6),
                     ("v4_overlap", v4[:2] + [v4[1]] + v4[2:])):
        write(out, "ip_reassembly", name, b"\0" + b"".join(bytes([1, 0x20]) + chunk(bytes(p)) for p in fr))


if __name__ == "__main__":
    main()
