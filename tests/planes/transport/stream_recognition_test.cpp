// What the rx step recognises on TCP streams of any port: HTTP upgrades to WebSocket for SIP
// (planes/transport/http_upgrade.hpp), the per-lcore WebSocket connection table
// (websocket_connections.hpp), and TLS hellos (tls_hello.hpp); SCTP classification by port.
#include <gtest/gtest.h>

#include <string>

#include "planes/transport/classifier.hpp"
#include "planes/transport/http_upgrade.hpp"
#include "planes/transport/tls_hello.hpp"
#include "planes/transport/websocket_connections.hpp"
#include "tests/support/frame_bytes.hpp"

namespace rv::planes::transport {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(HttpUpgrade, SipWebSocketRequest_RecognisedCaseInsensitively) {
  const std::string req =
      "GET / HTTP/1.1\r\nHost: x\r\nupgrade: WebSocket\r\nConnection: Upgrade\r\n"
      "sec-websocket-protocol: chat, SIP\r\n\r\nrest";
  const auto u = parse_http_upgrade(bytes(req));
  EXPECT_EQ(u.kind, HttpUpgrade::Kind::kRequest);
  EXPECT_TRUE(u.sip);
  EXPECT_EQ(u.header_bytes, req.size() - 4);
}

TEST(HttpUpgrade, PlainGetOrIncompleteOrOtherProtocol) {
  EXPECT_EQ(parse_http_upgrade(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).kind,
            HttpUpgrade::Kind::kNone);
  EXPECT_EQ(parse_http_upgrade(bytes("GET / HTTP/1.1\r\nUpgrade: websocket\r\n")).kind,
            HttpUpgrade::Kind::kNeedMore);
  EXPECT_EQ(parse_http_upgrade(bytes("HTT")).kind, HttpUpgrade::Kind::kNeedMore);
  EXPECT_EQ(parse_http_upgrade(bytes("INVITE sip:a@b SIP/2.0\r\n\r\n")).kind,
            HttpUpgrade::Kind::kNone);
  const auto chat = parse_http_upgrade(
      bytes("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: chat\r\n\r\n"));
  EXPECT_EQ(chat.kind, HttpUpgrade::Kind::kResponse);
  EXPECT_FALSE(chat.sip);
}

dataplane::FlowKey flow(uint16_t sport, uint16_t dport) {
  const uint8_t a[4] = {10, 0, 0, 1};
  const uint8_t b[4] = {10, 0, 0, 2};
  return {{dataplane::IpAddress::v4(a), sport}, {dataplane::IpAddress::v4(b), dport},
          dataplane::kIpProtoTcp};
}

TEST(WebSocketConnections, BothDirectionsBelong_UntilBothFinsOrRst) {
  WebSocketConnections t(16);
  const auto c = flow(41000, 8080);
  EXPECT_FALSE(t.take(c, 0, 1));
  EXPECT_TRUE(t.add(c, 1));
  EXPECT_TRUE(t.take(c.reversed(), 0x18, 2));
  EXPECT_TRUE(t.take(c, dataplane::kTcpFin, 3));
  EXPECT_TRUE(t.take(c, dataplane::kTcpFin, 3));  // the same side again: still open
  EXPECT_TRUE(t.take(c.reversed(), dataplane::kTcpFin, 4));
  EXPECT_FALSE(t.take(c, 0x10, 5));
  t.add(c, 6);
  EXPECT_TRUE(t.take(c, dataplane::kTcpRst, 7));
  EXPECT_FALSE(t.take(c, 0x10, 8));
}

TEST(WebSocketConnections, FullTable_ReplacesTheLeastRecentlySeen) {
  WebSocketConnections t(8);
  int replaced = 0;
  for (uint16_t p = 0; p < 40; ++p) replaced += t.add(flow(40000 + p, 80), p) ? 0 : 1;
  EXPECT_EQ(replaced, 32);
  EXPECT_TRUE(t.take(flow(40039, 80), 0, 100));  // the newest is there
}

TEST(TlsHello, ClientAndServerHellos_OtherRecordsNot) {
  test::Bytes ch = {22, 3, 1, 0, 50, 1, 0, 0, 46, 3, 3};
  EXPECT_EQ(tls_hello(ch), TlsHello::kClient);
  ch[5] = 2;
  EXPECT_EQ(tls_hello(ch), TlsHello::kServer);
  ch[5] = 11;  // Certificate
  EXPECT_EQ(tls_hello(ch), TlsHello::kNone);
  test::Bytes app = {23, 3, 3, 0, 16, 1, 0, 0, 0, 3, 3};
  EXPECT_EQ(tls_hello(app), TlsHello::kNone);
  EXPECT_EQ(tls_hello(test::Bytes{22, 3, 1}), TlsHello::kNone);  // too short
}

TEST(ClassifySctp, DataOnSipPorts_IsSip_OtherwiseOther) {
  ClassifierConfig cfg;
  cfg.sip_ports.set(5060);
  const test::Bytes data = test::sctp_data_chunk("OPTIONS sip:a@b SIP/2.0\r\n\r\n");
  const test::Bytes sack = {3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 255, 255, 0, 0, 0, 0};
  dataplane::ParsedPacket p;
  p.ip_proto = dataplane::kIpProtoSctp;
  p.src_port = 40000;
  p.dst_port = 5060;
  p.payload = data.data();
  p.payload_len = static_cast<uint32_t>(data.size());
  EXPECT_EQ(classify(p, cfg), PacketClass::kSip);
  p.payload = sack.data();
  p.payload_len = static_cast<uint32_t>(sack.size());
  EXPECT_EQ(classify(p, cfg), PacketClass::kOther);
  p.payload = data.data();
  p.payload_len = static_cast<uint32_t>(data.size());
  p.dst_port = 3868;  // Diameter
  EXPECT_EQ(classify(p, cfg), PacketClass::kOther);
}

}  // namespace
}  // namespace rv::planes::transport
