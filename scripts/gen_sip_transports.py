#!/usr/bin/python3
"""Writes SIP carried over the transports besides UDP and plain TCP, for tests against tshark:

  sctp.pcap  SIP over SCTP (RFC 4168) on port 5060: two calls (one answered, one rejected with
             486) whose messages travel one per packet, three bundled in one packet (100, 180 and
             200 in three DATA chunks), and one INVITE with an SDP body fragmented over three
             DATA chunks in three packets (B, middle, E flags, consecutive TSNs); SACKs between.
             Then one packet each with a bad chunk length, a chunk length past the end, a DATA
             chunk shorter than its header, a truncated common header.
  ws_port.pcap  the same on TCP port 10443 (tshark: -d tcp.port==10443,http).
  ws.pcap    SIP over WebSocket (RFC 7118) on TCP port 80: the HTTP upgrade (Sec-WebSocket-Protocol:
             sip), one answered call with masked client frames (text) and unmasked server frames
             (binary), a 200 OK fragmented over three frames (text + continuations) with a ping
             between them, then one unmasked client frame (an OPTIONS).
  tls.pcap   two TLS connections (ports 5061 and 443), each a ClientHello and a ServerHello record;
             nothing decryptable.

Prints a manifest (what each file holds) as JSON on stdout and writes it to OUT_DIR/manifest.json.

  /usr/bin/python3 scripts/gen_sip_transports.py --out-dir /tmp/transports
"""
import argparse
import json
import os
import struct

from scapy.all import IP, TCP, Ether, Raw, wrpcap
from scapy.layers.sctp import SCTP, SCTPChunkData, SCTPChunkSACK

UA, UB = "192.0.2.10", "192.0.2.20"
T0 = 1_700_000_000.0


def sip_request(method, call, cseq, body=b"", to_tag=None, uri="sip:bob@example.com"):
    to = "<sip:bob@example.com>" + (f";tag={to_tag}" if to_tag else "")
    hdrs = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/SCTP {UA}:5060;branch=z9hG4bK{call}{cseq}{method}",
        "Max-Forwards: 70",
        f"From: <sip:alice@example.com>;tag=a{call}",
        f"To: {to}",
        f"Call-ID: {call}@example.com",
        f"CSeq: {cseq} {method if method != 'ACK' else 'ACK'}",
        "Contact: <sip:alice@192.0.2.10>",
    ]
    if body:
        hdrs.append("Content-Type: application/sdp")
    hdrs.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(hdrs) + "\r\n\r\n").encode() + body


def sip_response(code, reason, call, cseq, method, to_tag=None, body=b""):
    to = "<sip:bob@example.com>" + (f";tag={to_tag}" if to_tag else "")
    hdrs = [
        f"SIP/2.0 {code} {reason}",
        f"Via: SIP/2.0/SCTP {UA}:5060;branch=z9hG4bK{call}{cseq}{method}",
        f"From: <sip:alice@example.com>;tag=a{call}",
        f"To: {to}",
        f"Call-ID: {call}@example.com",
        f"CSeq: {cseq} {method}",
    ]
    if body:
        hdrs.append("Content-Type: application/sdp")
    hdrs.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(hdrs) + "\r\n\r\n").encode() + body


def sdp(host, port, pad=0):
    lines = ["v=0", f"o=- 1 1 IN IP4 {host}", "s=-", f"c=IN IP4 {host}", "t=0 0",
             f"m=audio {port} RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
             "a=rtpmap:101 telephone-event/8000"]
    lines += [f"a=x-padding-{i}:{'p' * 60}" for i in range(pad)]
    return ("\r\n".join(lines) + "\r\n").encode()


def call_messages(call, answered):
    """(direction, message) of one call; direction 0: A->B, 1: B->A."""
    tag = "b" + call
    msgs = [(0, sip_request("INVITE", call, 1, sdp(UA, 40000, pad=40))),
            (1, sip_response(100, "Trying", call, 1, "INVITE")),
            (1, sip_response(180, "Ringing", call, 1, "INVITE", tag))]
    if answered:
        msgs += [(1, sip_response(200, "OK", call, 1, "INVITE", tag, sdp(UB, 50000))),
                 (0, sip_request("ACK", call, 1, to_tag=tag)),
                 (0, sip_request("BYE", call, 2, to_tag=tag)),
                 (1, sip_response(200, "OK", call, 2, "BYE", tag))]
    else:
        msgs += [(1, sip_response(486, "Busy Here", call, 1, "INVITE", tag)),
                 (0, sip_request("ACK", call, 1, to_tag=tag))]
    return msgs


class Clock:
    def __init__(self):
        self.t = T0

    def next(self, step=0.01):
        self.t += step
        return self.t


def stamp(pkt, clock, step=0.01):
    pkt.time = clock.next(step)
    return pkt


# ---------------------------------------------------------------------------------- SCTP
def sctp_file(path):
    clock = Clock()
    frames = []
    tsn = [1000, 5000]  # per direction
    ssn = [0, 0]

    def ip(d):
        return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / (IP(src=UA, dst=UB) if d == 0 else IP(src=UB, dst=UA)) / \
            SCTP(sport=5060, dport=5060, tag=0x1234 + d)

    def data_chunk(d, payload, flags=3):
        c = SCTPChunkData(beginning=(flags >> 1) & 1, ending=flags & 1, tsn=tsn[d], stream_id=0,
                          stream_seq=ssn[d], proto_id=0, data=payload)
        tsn[d] += 1
        if flags & 1:
            ssn[d] += 1
        return c

    def sack(d):
        return stamp(ip(d) / SCTPChunkSACK(cumul_tsn_ack=tsn[1 - d] - 1, a_rwnd=65535), clock)

    bundled = fragmented = 0
    messages = 0
    for call, answered in (("sctp-call-1", True), ("sctp-call-2", False)):
        msgs = call_messages(call, answered)
        i = 0
        while i < len(msgs):
            d, m = msgs[i]
            if i == 0 and answered:  # the INVITE of the first call: three fragments
                thirds = [m[:len(m) // 3], m[len(m) // 3:2 * len(m) // 3], m[2 * len(m) // 3:]]
                for k, part in enumerate(thirds):
                    flags = 2 if k == 0 else (1 if k == 2 else 0)
                    frames.append(stamp(ip(d) / data_chunk(d, part, flags), clock))
                fragmented += 1
                frames.append(sack(1 - d))
                messages += 1
                i += 1
                continue
            if i == 1 and answered:  # 100, 180, 200 from B bundled in one packet
                chunks = [data_chunk(1, msgs[i + k][1]) for k in range(3)]
                frames.append(stamp(ip(1) / chunks[0] / chunks[1] / chunks[2], clock))
                bundled += 1
                frames.append(sack(0))
                messages += 3
                i += 3
                continue
            frames.append(stamp(ip(d) / data_chunk(d, m), clock))
            frames.append(sack(1 - d))
            messages += 1
            i += 1

    # Bad input, one packet each.
    good = bytes(SCTP(sport=5060, dport=5060, tag=1) /
                 SCTPChunkData(beginning=1, ending=1, tsn=9000, data=b"OPTIONS"))
    common = good[:12]
    chunk = bytearray(good[12:])
    bad = {}
    short_len = bytearray(chunk)
    short_len[2:4] = struct.pack("!H", 2)  # below the 4-byte chunk header
    bad["bad_sctp_chunk_length"] = common + bytes(short_len)
    past_end = bytearray(chunk)
    past_end[2:4] = struct.pack("!H", len(chunk) + 40)
    bad["bad_sctp_chunk_length_past_end"] = common + bytes(past_end)
    data_short = struct.pack("!BBH", 0, 3, 12) + b"\x00" * 8  # DATA chunk of 12 bytes
    bad["bad_sctp_data_chunk_length"] = common + data_short
    bad["truncated_sctp"] = common[:8]
    for name, payload in bad.items():
        frames.append(stamp(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=UA, dst=UB, proto=132) / Raw(payload), clock))
    wrpcap(path, frames)
    return {"file": path, "frames": len(frames), "sip_messages": messages, "bundled_packets": bundled,
            "fragmented_messages": fragmented, "calls": 2,
            "malformed": {"bad_sctp_chunk_length": 2, "bad_sctp_data_chunk_length": 1,
                          "truncated_sctp": 1}}


# ----------------------------------------------------------------------------- WebSocket
def ws_frame(payload, opcode=1, fin=True, mask=None):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        hdr = bytes([b0, (0x80 if mask else 0) | n])
    elif n < 65536:
        hdr = bytes([b0, (0x80 if mask else 0) | 126]) + struct.pack("!H", n)
    else:
        hdr = bytes([b0, (0x80 if mask else 0) | 127]) + struct.pack("!Q", n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        hdr += mask
    return hdr + payload


class TcpConn:
    def __init__(self, frames, clock, cport, sport, client=UA, server=UB):
        self.frames, self.clock = frames, clock
        self.cport, self.sport, self.client, self.server = cport, sport, client, server
        self.seq = [10000, 70000]

    def seg(self, d, payload=b"", flags="PA"):
        src, dst = (self.client, self.server) if d == 0 else (self.server, self.client)
        sp, dp = (self.cport, self.sport) if d == 0 else (self.sport, self.cport)
        p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags, seq=self.seq[d],
                                                ack=self.seq[1 - d], window=65535)
        if payload:
            p = p / Raw(payload)
        self.frames.append(stamp(p, self.clock))
        self.seq[d] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)

    def handshake(self):
        self.seg(0, flags="S")
        self.seg(1, flags="SA")
        self.seg(0, flags="A")

    def close(self):
        self.seg(0, flags="FA")
        self.seg(1, flags="FA")
        self.seg(0, flags="A")


def ws_file(path, port=80):
    clock = Clock()
    frames = []
    c = TcpConn(frames, clock, 41000, port)
    c.handshake()
    c.seg(0, ("GET /sip HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Origin: http://example.com\r\nSec-WebSocket-Protocol: sip\r\n"
              "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    c.seg(1, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Protocol: sip\r\n\r\n").encode())
    messages = 0
    key = bytes([0x37, 0xfa, 0x21, 0x3d])
    for d, m in call_messages("ws-call-1", True):
        m = m.replace(b"SIP/2.0/SCTP", b"SIP/2.0/WS")
        if d == 0:
            c.seg(0, ws_frame(m, opcode=1, mask=key))
        elif m.startswith(b"SIP/2.0 200 OK") and b"INVITE" in m:
            # Fragmented: text frame, ping, continuation, continuation (final), one segment each.
            a, b, rest = m[:100], m[100:300], m[300:]
            c.seg(1, ws_frame(a, opcode=1, fin=False))
            c.seg(1, ws_frame(b"ping", opcode=9))
            c.seg(1, ws_frame(b, opcode=0, fin=False))
            c.seg(1, ws_frame(rest, opcode=0, fin=True))
        else:
            c.seg(1, ws_frame(m, opcode=2))
        messages += 1
    # An unmasked client frame (RFC 6455 forbids it; decoded and counted).
    opt = sip_request("OPTIONS", "ws-options-1", 1).replace(b"SIP/2.0/SCTP", b"SIP/2.0/WS")
    c.seg(0, ws_frame(opt, opcode=1))
    c.seg(1, ws_frame(sip_response(200, "OK", "ws-options-1", 1, "OPTIONS", "o1"), opcode=1))
    messages += 2
    c.close()
    wrpcap(path, frames)
    return {"file": path, "frames": len(frames), "sip_messages": messages, "calls": 1,
            "unmasked_client_frames": 1}


# ----------------------------------------------------------------------------------- TLS
def tls_record(hs_type, body):
    hs = bytes([hs_type]) + struct.pack("!I", len(body))[1:] + body
    return bytes([22, 3, 1]) + struct.pack("!H", len(hs)) + hs


def client_hello():
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", 4) + b"\x13\x01\xc0\x2f"
    body += b"\x01\x00"  # compression: null
    sni = b"\x00" + struct.pack("!H", 11) + b"example.com"
    ext = struct.pack("!HH", 0, len(sni) + 2) + struct.pack("!H", len(sni)) + sni
    return tls_record(1, body + struct.pack("!H", len(ext)) + ext)


def server_hello():
    body = b"\x03\x03" + bytes(range(32, 64)) + b"\x00" + b"\xc0\x2f" + b"\x00"
    return tls_record(2, body + struct.pack("!H", 0))


def tls_file(path):
    clock = Clock()
    frames = []
    for cport, sport in ((42000, 5061), (42001, 443)):
        c = TcpConn(frames, clock, cport, sport)
        c.handshake()
        c.seg(0, client_hello())
        c.seg(1, server_hello())
        c.seg(0, bytes([23, 3, 3, 0, 16]) + bytes(16))  # application data: opaque
        c.close()
    wrpcap(path, frames)
    return {"file": path, "frames": len(frames), "tls_connections": 2}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    manifest = {"sctp": sctp_file(os.path.join(a.out_dir, "sctp.pcap")),
                "websocket": ws_file(os.path.join(a.out_dir, "ws.pcap")),
                "websocket_any_port": ws_file(os.path.join(a.out_dir, "ws_port.pcap"), 10443),
                "tls": tls_file(os.path.join(a.out_dir, "tls.pcap"))}
    with open(os.path.join(a.out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
