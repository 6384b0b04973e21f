#!/usr/bin/python3
"""Wraps the frames of plain SIP/RTP captures in the encapsulations monitoring probes receive
(mirrored tunnels, carrier links) and writes one capture per kind, with a manifest that says
which plain capture each one carries and how many frames went through each layer.

  /usr/bin/python3 scripts/gen_tunnels.py --out-dir /tmp/tunnels [--root .]

Kinds: vxlan (4789 and a custom port), geneve (with options), gre (key + sequence), nvgre,
erspan_i/ii/iii, mpls (two labels, IP payload), mpls_pw (control word + Ethernet), qinq (three
tags), pppoe, ipip, ip6in4, ip4in6, ip6in6, sll (v1), sll2, nested (GRE > MPLS > VXLAN > VLAN),
vxlan_inner_fragments (the inner IP datagrams fragmented), gre_outer_fragments (the outer IP
datagrams fragmented), too_deep (five VXLAN layers: beyond the default bound of 4),
gre_key_mismatch (a key the test does not configure). Deterministic: the same files each run.
"""
import argparse
import json
import os
import struct

from scapy.all import (GRE, IP, PPP, UDP, Dot1AD, Dot1Q, Ether, IPv6, PPPoE, RawPcapWriter, Raw,
                       fragment, rdpcap)
from scapy.contrib.geneve import GENEVE
from scapy.contrib.mpls import MPLS
from scapy.layers.inet6 import IPv6ExtHdrFragment  # noqa: F401 (registers the header)
from scapy.layers.vxlan import VXLAN

OUTER_MACS = dict(src="02:aa:00:00:00:01", dst="02:aa:00:00:00:02")
PROBE_A, PROBE_B = "192.0.2.1", "192.0.2.2"
PROBE6_A, PROBE6_B = "2001:db8:ffff::1", "2001:db8:ffff::2"

SOURCES = {
    "v4": "tests/data/generated/g711_impaired.pcap",
    "v6": "tests/data/pcaps/heplify_sip_ipv6_udp.pcap",
}


def inner_ip(frame):
    """The IP packet of a plain Ethernet frame (VLAN tags skipped)."""
    p = frame.payload
    while isinstance(p, (Dot1Q, Dot1AD)):
        p = p.payload
    return p


def outer_ip(i, proto, payload, v6=False):
    eth = Ether(**OUTER_MACS)
    if v6:
        return eth / IPv6(src=PROBE6_A, dst=PROBE6_B, nh=proto) / payload
    return eth / IP(src=PROBE_A, dst=PROBE_B, proto=proto, id=i & 0xFFFF) / payload


def udp_tunnel(i, dport, header, inner):
    sport = 49152 + (i * 7919) % 16384  # flow entropy, as tunnel endpoints do
    return outer_ip(i, 17, UDP(sport=sport, dport=dport) / header / inner)


def erspan2(session):
    # ver 1, vlan 0 | cos 0, en 0, t 0, session | reserved, index 0
    return Raw(struct.pack("!HHI", (1 << 12), session & 0x3FF, 0))


def erspan3(session, timestamp, platform):
    # ver 2, vlan 0 | cos, bso, t, session | timestamp | sgt | p, ft=0, hw | d, gra, o
    word3 = (0 << 15) | (0 << 10) | (5 << 4) | (0 << 3) | (0 << 1) | (1 if platform else 0)
    head = struct.pack("!HHIHH", (2 << 12), session & 0x3FF, timestamp, 0, word3)
    return Raw(head + (struct.pack("!II", 0x0A000000, 0) if platform else b""))


def wrap(kind, i, f):
    """The frames (bytes) carrying plain Ethernet frame `f` (the i-th) in `kind`."""
    ip = inner_ip(f)
    if kind == "vxlan":
        return [udp_tunnel(i, 4789, VXLAN(vni=4242, flags=0x08), f)]
    if kind == "vxlan_port":
        return [udp_tunnel(i, 8472, VXLAN(vni=7, flags=0x08), f)]
    if kind == "geneve":
        opts = Raw(struct.pack("!HBBI", 0x0102, 0x03, 1, 0xDEADBEEF))  # one 8-byte option
        return [udp_tunnel(i, 6081, GENEVE(vni=99, proto=0x6558, optionlen=2) / opts, f)]
    if kind == "gre":
        g = GRE(key_present=1, key=7, seqnum_present=1, seqence_number=i, proto=0x0800)
        return [outer_ip(i, 47, g / ip)]
    if kind == "gre_key_mismatch":
        return [outer_ip(i, 47, GRE(key_present=1, key=8, proto=0x0800) / ip)]
    if kind == "nvgre":
        return [outer_ip(i, 47, GRE(key_present=1, key=(5001 << 8) | 3, proto=0x6558) / f)]
    if kind == "erspan_i":
        return [outer_ip(i, 47, GRE(proto=0x88BE) / f)]
    if kind == "erspan_ii":
        return [outer_ip(i, 47, GRE(seqnum_present=1, seqence_number=i, proto=0x88BE) / erspan2(3) / f)]
    if kind == "erspan_iii":
        return [outer_ip(i, 47, GRE(seqnum_present=1, seqence_number=i, proto=0x22EB) /
                         erspan3(4, i * 1000, platform=i % 2 == 1) / f)]
    if kind == "mpls":
        return [Ether(type=0x8847, **OUTER_MACS) / MPLS(label=16, s=0, ttl=64) /
                MPLS(label=1001, s=1, ttl=64) / ip]
    if kind == "mpls_pw":
        # Vendor MACs as on a real PW, so that Wireshark's heuristic sees the control word.
        eth = f.copy()
        eth.src, eth.dst = "00:1b:21:dd:ee:ff", "00:1b:21:aa:bb:cc"
        return [Ether(type=0x8847, **OUTER_MACS) / MPLS(label=2002, s=1, ttl=64) /
                Raw(struct.pack("!I", i & 0xFFFF)) / eth]
    if kind == "qinq":
        return [Ether(type=0x88A8, **OUTER_MACS) / Dot1AD(vlan=100, type=0x8100) /
                Dot1Q(vlan=200, type=0x8100) / Dot1Q(vlan=300) / ip]
    if kind == "pppoe":
        # Scapy compresses the PPP protocol to one byte (RFC 1661 PFC); every other frame has two.
        ppp = PPP(proto=0x0021) if i % 2 else Raw(b"\x00\x21")
        return [Ether(type=0x8864, **OUTER_MACS) / PPPoE(sessionid=0x1234) / ppp / ip]
    if kind == "ipip":
        return [outer_ip(i, 4, ip)]
    if kind == "ip6in4":
        return [outer_ip(i, 41, ip)]
    if kind == "ip4in6":
        return [outer_ip(i, 4, ip, v6=True)]
    if kind == "ip6in6":
        return [outer_ip(i, 41, ip, v6=True)]
    if kind == "nested":
        inner = Ether(**OUTER_MACS) / Dot1Q(vlan=10) / ip
        vx = IP(src="198.51.100.1", dst="198.51.100.2") / UDP(sport=50000 + i % 1000, dport=4789) / \
            VXLAN(vni=1, flags=0x08) / inner
        return [outer_ip(i, 47, GRE(proto=0x8847) / MPLS(label=300, s=1, ttl=9) / vx)]
    if kind == "too_deep":
        p = f
        for layer in range(5):
            p = udp_tunnel(i + layer, 4789, VXLAN(vni=layer + 1, flags=0x08), p)
        return [p]
    if kind == "vxlan_inner_fragments":
        frags = fragment(ip, fragsize=256) if len(ip) > 300 else [ip]
        return [udp_tunnel(i, 4789, VXLAN(vni=4242, flags=0x08), Ether(**OUTER_MACS) / fr)
                for fr in frags]
    if kind == "gre_outer_fragments":
        whole = IP(src=PROBE_A, dst=PROBE_B, proto=47, id=(i + 1) & 0xFFFF) / \
            GRE(proto=0x0800) / ip
        frags = fragment(whole, fragsize=256) if len(whole) > 300 else [whole]
        return [Ether(**OUTER_MACS) / fr for fr in frags]
    raise ValueError(kind)


# kind: (source, link type, layers each frame goes through)
KINDS = {
    "vxlan": ("v4", 1, ["vxlan"]),
    "vxlan_port": ("v4", 1, ["vxlan"]),
    "geneve": ("v4", 1, ["geneve"]),
    "gre": ("v4", 1, ["gre"]),
    "nvgre": ("v4", 1, ["nvgre"]),
    "erspan_i": ("v4", 1, ["erspan_i"]),
    "erspan_ii": ("v4", 1, ["erspan_ii"]),
    "erspan_iii": ("v4", 1, ["erspan_iii"]),
    "mpls": ("v4", 1, ["mpls"]),
    "mpls_pw": ("v4", 1, ["mpls"]),
    "qinq": ("v4", 1, ["qinq", "vlan", "vlan"]),
    "pppoe": ("v4", 1, ["pppoe"]),
    "ipip": ("v4", 1, ["ipip"]),
    "ip6in4": ("v6", 1, ["ip6in4"]),
    "ip4in6": ("v4", 1, ["ip4in6"]),
    "ip6in6": ("v6", 1, ["ip6in6"]),
    "sll": ("v4", 113, []),
    "sll2": ("v6", 276, []),
    "nested": ("v4", 1, ["gre", "mpls", "vxlan", "vlan"]),
    "vxlan_inner_fragments": ("v4", 1, ["vxlan"]),
    "gre_outer_fragments": ("v4", 1, ["gre"]),
    "too_deep": ("v4", 1, ["vxlan"] * 5),  # when the bound allows five layers
    "gre_key_mismatch": ("v4", 1, ["gre"]),  # when no key list is configured
}


def linux_cooked(link, ip):
    proto = 0x86DD if ip.version == 6 else 0x0800
    if link == 113:  # v1: packet type, ARPHRD_ETHER, address length, address, protocol
        return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", proto) + bytes(ip)
    # v2: protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address
    return struct.pack("!HHIHBB8s", proto, 0, 2, 1, 0, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + bytes(ip)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--kinds", default=",".join(KINDS))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    plain = {k: rdpcap(os.path.join(args.root, v)) for k, v in SOURCES.items()}
    manifest = {}
    for kind in args.kinds.split(","):
        src, link, layers = KINDS[kind]
        path = os.path.join(args.out_dir, kind + ".pcap")
        w = RawPcapWriter(path, linktype=link, sync=False)
        w.write_header(None)
        frames = 0
        counts = {}
        for i, f in enumerate(plain[src]):
            out = [linux_cooked(link, inner_ip(f))] if link != 1 else wrap(kind, i, f)
            sec = int(f.time)
            usec = int(round((f.time - sec) * 1_000_000))
            for o in out:
                w.write_packet(o if isinstance(o, bytes) else bytes(o), sec=sec, usec=usec)
                frames += 1
            # A fragment is counted when its own headers pass the layer: every fragment of a
            # datagram inside a tunnel, only the reassembled datagram of a fragmented tunnel.
            per_frame = 1 if kind == "gre_outer_fragments" else len(out)
            for layer in layers:
                counts[layer] = counts.get(layer, 0) + per_frame
        w.close()
        manifest[kind] = {"file": path, "plain": os.path.join(args.root, SOURCES[src]),
                          "link": link, "frames": frames, "encapsulation": counts}
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
