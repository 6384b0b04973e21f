-- HEPv3 (Homer Encapsulation Protocol) dissector for tshark, for the HEP export tests: Debian 12's
-- tshark 4.0 has no HEP dissector. Decodes the chunks rvoipd and heplify send and hands a SIP
-- payload (protocol type 1) to Wireshark's own SIP dissector.
--   tshark -X lua_script:tests/data/wireshark/hep3.lua -r hep.pcap -Y "hep3 && sip"
local hep = Proto("hep3", "HEPv3 (Homer Encapsulation Protocol)")
local f = {
  family = ProtoField.uint8("hep3.ip_family", "IP family"),
  ip_proto = ProtoField.uint8("hep3.ip_proto", "IP protocol"),
  src_ip4 = ProtoField.ipv4("hep3.src_ip", "Source IPv4"),
  dst_ip4 = ProtoField.ipv4("hep3.dst_ip", "Destination IPv4"),
  src_ip6 = ProtoField.ipv6("hep3.src_ip6", "Source IPv6"),
  dst_ip6 = ProtoField.ipv6("hep3.dst_ip6", "Destination IPv6"),
  src_port = ProtoField.uint16("hep3.src_port", "Source port"),
  dst_port = ProtoField.uint16("hep3.dst_port", "Destination port"),
  ts_sec = ProtoField.uint32("hep3.ts_sec", "Timestamp (s)"),
  ts_usec = ProtoField.uint32("hep3.ts_usec", "Timestamp (us)"),
  proto_type = ProtoField.uint8("hep3.proto_type", "Protocol type"),
  capture_id = ProtoField.uint32("hep3.capture_id", "Capture agent id"),
  auth_key = ProtoField.string("hep3.auth_key", "Auth key"),
  payload = ProtoField.bytes("hep3.payload", "Payload"),
  correlation_id = ProtoField.string("hep3.correlation_id", "Correlation id"),
}
hep.fields = { f.family, f.ip_proto, f.src_ip4, f.dst_ip4, f.src_ip6, f.dst_ip6, f.src_port,
               f.dst_port, f.ts_sec, f.ts_usec, f.proto_type, f.capture_id, f.auth_key,
               f.payload, f.correlation_id }
local by_type = { [1] = f.family, [2] = f.ip_proto, [3] = f.src_ip4, [4] = f.dst_ip4,
                  [5] = f.src_ip6, [6] = f.dst_ip6, [7] = f.src_port, [8] = f.dst_port,
                  [9] = f.ts_sec, [10] = f.ts_usec, [11] = f.proto_type, [12] = f.capture_id,
                  [14] = f.auth_key, [15] = f.payload, [17] = f.correlation_id }
local sip = Dissector.get("sip")

function hep.dissector(buf, pinfo, tree)
  if buf:len() < 6 or buf(0, 4):string() ~= "HEP3" then return 0 end
  local total = buf(4, 2):uint()
  if total > buf:len() then return 0 end
  local t = tree:add(hep, buf(0, total))
  local off, payload, ptype = 6, nil, nil
  while off + 6 <= total do
    local typ, len = buf(off + 2, 2):uint(), buf(off + 4, 2):uint()
    if len < 6 or off + len > total then break end
    local v = buf(off + 6, len - 6)
    if by_type[typ] then t:add(by_type[typ], v) end
    if typ == 11 then ptype = v:uint() end
    if typ == 15 then payload = v end
    off = off + len
  end
  pinfo.cols.protocol = "HEP3"
  if payload and ptype == 1 then sip:call(payload:tvb(), pinfo, tree) end
  return total
end

DissectorTable.get("udp.port"):add(9060, hep)
