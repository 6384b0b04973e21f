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

    transport_seeds(out)
    wire_seeds(out)
    sip_payloads = []
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
                    if len(sip_payloads) < 64:
                        sip_payloads.append((p, pl))
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

    hep_seeds(out, sip_payloads)

    # IPv4 and IPv6 fragments of a SIP INVITE, in order, reversed, and with an overlap.
    body = (DATA / "rfc4475/wsinv.dat").read_bytes() if (DATA / "rfc4475/wsinv.dat").exists() else b"x" * 1400
    v4 = fragment(Ether() / IP(src="10.0.0.1", dst="10.0.0.2", id=7) / UDP(sport=5060, dport=5060) / Raw(body * 3), 512)
    v6 = fragment6(Ether() / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrFragment(id=9) /
                   UDP(sport=5060, dport=5060) / Raw(body * 3), 600)
    for name, fr in (("v4", v4), ("v4_reversed", list(reversed(v4))), ("v6", v6),
                     ("v4_overlap", v4[:2] + [v4[1]] + v4[2:])):
        write(out, "ip_reassembly", name, b"\0" + b"".join(bytes([1, 0x20]) + chunk(bytes(p)) for p in fr))


def hep3(src, dst, sport, dport, payload, sec=1_700_000_000, usec=0, proto_type=1, v6=False):
    """A HEPv3 packet as heplify sends it (control/outputs/hep_packet.cpp writes the same)."""
    def ch(t, v):
        return struct.pack(">HHH", 0, t, 6 + len(v)) + v
    body = (ch(1, bytes([10 if v6 else 2])) + ch(2, bytes([17])) + ch(5 if v6 else 3, src) +
            ch(6 if v6 else 4, dst) + ch(7, struct.pack(">H", sport)) + ch(8, struct.pack(">H", dport)) +
            ch(9, struct.pack(">I", sec)) + ch(10, struct.pack(">I", usec)) + ch(11, bytes([proto_type])) +
            ch(12, struct.pack(">I", 2001)) + ch(17, b"call-1@example") + ch(15, payload))
    return b"HEP3" + struct.pack(">H", 6 + len(body)) + body


def hep2(src, dst, sport, dport, payload, version=2):
    """captagent's HEPv1/v2 header (IPv4; v2 adds seconds, microseconds, capture id)."""
    hdr = bytes([version, 0, 2, 17]) + struct.pack(">HH", sport, dport) + src + dst
    if version == 2:
        hdr += struct.pack("<IIHH", 1_700_000_000, 250_000, 7, 0)
    return bytes([hdr[0], len(hdr)]) + hdr[2:] + payload


def hep_seeds(out, sip_payloads):
    """hep_fuzzer: [agent][time step][len16][HEP bytes] datagrams (SIP and RTCP payloads)."""
    v4 = lambda a: bytes(int(x) for x in a.split("."))  # noqa: E731
    prog = b""
    for i, (p, pl) in enumerate(sip_payloads[:24]):
        src, dst = (v4(p[IP].src), v4(p[IP].dst)) if IP in p else (bytes(4), bytes(4))
        kind = i % 3
        h = hep3(src, dst, p[UDP].sport, p[UDP].dport, pl, usec=i * 1000) if kind == 0 else \
            hep2(src, dst, p[UDP].sport, p[UDP].dport, pl, version=2 if kind == 1 else 1)
        prog += bytes([i, 1]) + chunk(h)
    if prog:
        write(out, "hep", "sip_v1_v2_v3", prog)
    rtcp = bytes.fromhex("81c9000700000001000000020000000300000004000000050000000600000007")
    write(out, "hep", "rtcp_v6", bytes([1, 1]) + chunk(hep3(bytes(15) + b"\1", bytes(15) + b"\2", 4001, 5001,
                                                              rtcp, proto_type=5, v6=True)))


def transport_seeds(out):
    """websocket_fuzzer and sctp_fuzzer programs: the transports capture's segments as raw
    bytes, and generated handshakes, frames and fragmented messages (see the harnesses)."""
    from scapy.layers.sctp import SCTP  # noqa
    invite = (DATA / "rfc4475/wsinv.dat").read_bytes() if (DATA / "rfc4475/wsinv.dat").exists() else b"OPTIONS sip:a SIP/2.0\r\n\r\n"
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, str(ROOT / "scripts/gen_sip_transports.py"), "--out-dir", d],
                       check=True, stdout=subprocess.DEVNULL)
        for name in ("ws", "ws_port"):
            prog, conns = b"", {}
            for p in rdpcap(str(pathlib.Path(d) / (name + ".pcap"))):
                if TCP not in p:
                    continue
                client = p[TCP].dport in (80, 10443)
                conn = conns.setdefault(p[TCP].sport if client else p[TCP].dport, len(conns) % 2)
                pl = bytes(p[TCP].payload)
                prog += bytes([0, conn * 2 + (0 if client else 1), 1, int(p[TCP].flags) & 0x3F]) + chunk(pl)
            write(out, "websocket", "capture_" + name, prog)
        prog = b""
        for p in rdpcap(str(pathlib.Path(d) / "sctp.pcap")):
            if SCTP in p:
                which = 0 if p[SCTP].dport == 5060 else 1
                prog += bytes([0, which, 1]) + chunk(bytes(p[SCTP])[12:])
        write(out, "sctp", "capture", prog)
    # An upgrade both ways, then messages: whole, fragmented (masked from the client), a ping
    # between fragments, a 16-bit and a 64-bit length, an interrupted message, then FIN.
    ws = bytes([1, 0, 1, 1]) + bytes([2, 1, 1, 1])
    ws += bytes([6, 0, 1, 0]) + b"\x11\x22\x33\x44" + chunk(invite)
    ws += bytes([6, 0, 1, 3]) + b"\x55\x66\x77\x88" + chunk(invite)
    ws += bytes([6, 1, 1, 1]) + b"\0\0\0\0" + chunk(b"SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n")
    ws += bytes([3, 0, 1, 0x09]) + b"\1\2\3\4" + chunk(invite[:40])          # text, masked, not final
    ws += bytes([3, 0, 1, 0x0F]) + b"\1\2\3\4" + chunk(b"ping")              # ping between fragments
    ws += bytes([3, 0, 1, 0x1C]) + b"\1\2\3\4" + chunk(invite[40:])          # continuation, 16-bit
    ws += bytes([3, 0, 1, 0x2E]) + b"\1\2\3\4" + chunk(b"BYE sip:x SIP/2.0\r\n\r\n")  # 64-bit
    ws += bytes([3, 0, 1, 0x89]) + bytes([20]) + b"\1\2\3\4" + chunk(invite)  # split in 21-byte segments
    ws += bytes([3, 0, 1, 0x0D]) + b"\1\2\3\4" + chunk(invite)              # binary, interrupts it
    ws += bytes([7, 0, 1, 1]) + bytes([7, 1, 1, 1])
    write(out, "websocket", "generated", ws)
    write(out, "websocket", "lf_upgrade_no_sip", bytes([1, 2, 1, 4 | 0x30, 6, 2, 1, 2]) + b"\1\1\1\1" + chunk(invite))
    # Whole messages: one chunk, three fragments in one packet, four in four packets, swapped,
    # resent, unordered; a lone middle fragment; a pause that times a message out.
    sc = b""
    for layout in (0x00, 0x02, 0x07, 0x0F, 0x16, 0x23):
        sc += bytes([1, 0, 1, layout, 3]) + chunk(invite)
    sc += bytes([2, 1, 1, 0x00, 2, 0]) + chunk(invite[:100])
    sc += bytes([1, 1, 1, 0x06, 1]) + chunk(invite) + bytes([3, 0, 1])
    write(out, "sctp", "generated", sc)


def wire_seeds(out):
    """wire_fuzzer: [mode] then bytes. The frozen batch as it is (mode 0), its Batch raw (mode
    1) and recompressed (mode 2)."""
    frozen = (DATA / "wire/batch_v1.bin").read_bytes()
    write(out, "wire", "batch_v1", b"\0" + frozen)
    raw = subprocess.run(["zstd", "-dc"], input=frozen[9:], check=True, capture_output=True).stdout
    write(out, "wire", "batch_v1_raw", b"\1" + raw)
    write(out, "wire", "batch_v1_zstd", b"\2" + raw)
    write(out, "wire", "batch_v1_raw_envelope", b"\0" + frozen[:4] + b"\0" + struct.pack("<I", len(raw)) + raw)


if __name__ == "__main__":
    main()
