// The SCTP chunk walk (dataplane/sctp_chunks.hpp) and the parser's SCTP outcome: bundled DATA
// chunks, padding, and every bad length counted by reason, never read past the end.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "dataplane/packet_parser.hpp"
#include "dataplane/sctp_chunks.hpp"
#include "tests/support/frame_bytes.hpp"

namespace rv::dataplane {
namespace {

using test::Bytes;
using test::cat;

Bytes data_chunk(const std::string& text, uint8_t flags = 3, uint32_t tsn = 1, uint16_t stream = 0) {
  return test::sctp_data_chunk(text, flags, tsn, stream);
}


const Bytes kSack = {3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 255, 255, 0, 0, 0, 0};

TEST(SctpChunks, BundledDataChunks_EachVisitedInOrder) {
  const Bytes p = cat({data_chunk("one", 3, 10), kSack, data_chunk("three!", 2, 11),
                       data_chunk("x", 1, 12)});
  std::vector<std::string> seen;
  std::vector<uint32_t> tsns;
  const auto s = walk_sctp_chunks(p, [&](const SctpDataChunk& c) {
    seen.emplace_back(c.data.begin(), c.data.end());
    tsns.push_back(c.tsn);
  });
  EXPECT_EQ(s.status, SctpChunkStatus::kOk);
  EXPECT_EQ(s.chunks, 4u);
  EXPECT_EQ(s.data_chunks, 3u);
  EXPECT_EQ(seen, (std::vector<std::string>{"one", "three!", "x"}));
  EXPECT_EQ(tsns, (std::vector<uint32_t>{10, 11, 12}));
}

TEST(SctpChunks, LastChunkWithoutPadding_IsAccepted) {
  Bytes p = data_chunk("abc");
  p.pop_back();  // "abc" + 1 padding byte: drop the padding
  const auto s = check_sctp_chunks(p);
  EXPECT_EQ(s.status, SctpChunkStatus::kOk);
  EXPECT_EQ(s.data_chunks, 1u);
}

TEST(SctpChunks, ChunkLengthBelowHeader_IsBadChunkLength) {
  Bytes p = data_chunk("abc");
  p[3] = 2;
  EXPECT_EQ(check_sctp_chunks(p).status, SctpChunkStatus::kBadChunkLength);
  p[3] = 0;  // length 0 must not loop
  EXPECT_EQ(check_sctp_chunks(p).status, SctpChunkStatus::kBadChunkLength);
}

TEST(SctpChunks, ChunkLengthPastTheEnd_IsBadChunkLength) {
  Bytes p = cat({kSack, data_chunk("abc")});
  p[16 + 3] = 200;
  int visited = 0;
  const auto s = walk_sctp_chunks(p, [&](const SctpDataChunk&) { ++visited; });
  EXPECT_EQ(s.status, SctpChunkStatus::kBadChunkLength);
  EXPECT_EQ(visited, 0);
}

TEST(SctpChunks, DataChunkWithoutUserData_IsBadDataChunkLength) {
  Bytes p = data_chunk("");
  EXPECT_EQ(check_sctp_chunks(p).status, SctpChunkStatus::kBadDataChunkLength);
  p = {0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(check_sctp_chunks(p).status, SctpChunkStatus::kBadDataChunkLength);
}

TEST(SctpChunks, StrayBytesAfterLastChunk_AreTruncatedChunk) {
  const Bytes p = cat({kSack, Bytes{1, 2}});
  EXPECT_EQ(check_sctp_chunks(p).status, SctpChunkStatus::kTruncatedChunk);
}

TEST(SctpChunks, EveryTruncationOfAValidPacket_EndsWithoutReadingPastIt) {
  const Bytes p = cat({data_chunk("hello"), kSack, data_chunk("world", 1)});
  for (std::size_t n = 0; n <= p.size(); ++n) {
    const Bytes cut(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
    const auto s = walk_sctp_chunks(cut, [&](const SctpDataChunk& c) {
      EXPECT_LE(c.data.data() + c.data.size(), cut.data() + cut.size());
    });
    EXPECT_LE(s.chunks, 3u);
  }
}

Bytes ipv4_sctp(const Bytes& sctp) {
  Bytes f(14, 0);
  f[12] = 0x08;
  const std::size_t total = 20 + sctp.size();
  Bytes ip = {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0, 0, 0, 0, 64, kIpProtoSctp, 0, 0,
              192, 0, 2, 1, 192, 0, 2, 2};
  return cat({f, ip, sctp});
}

TEST(SctpParse, SctpPacket_PortsAndChunksAsPayload) {
  const Bytes common = {0x13, 0xC4, 0x13, 0xC5, 0, 0, 0, 1, 0, 0, 0, 0};
  const Bytes chunks = cat({data_chunk("INVITE"), kSack});
  ParsedPacket p;
  ASSERT_EQ(parse_frame(ipv4_sctp(cat({common, chunks})), LinkType::kEthernet, p), ParseStatus::kOk);
  EXPECT_EQ(p.ip_proto, kIpProtoSctp);
  EXPECT_EQ(p.src_port, 5060);
  EXPECT_EQ(p.dst_port, 5061);
  EXPECT_EQ(p.payload_len, chunks.size());
}

TEST(SctpParse, BadLengths_AreMalformedByReason) {
  const Bytes common = {0x13, 0xC4, 0x13, 0xC4, 0, 0, 0, 1, 0, 0, 0, 0};
  ParsedPacket p;
  EXPECT_EQ(parse_frame(ipv4_sctp(Bytes(common.begin(), common.begin() + 8)), LinkType::kEthernet, p),
            ParseStatus::kTruncatedSctp);
  Bytes bad = data_chunk("abc");
  bad[3] = 200;
  EXPECT_EQ(parse_frame(ipv4_sctp(cat({common, bad})), LinkType::kEthernet, p),
            ParseStatus::kBadSctpChunkLength);
  EXPECT_EQ(parse_frame(ipv4_sctp(cat({common, data_chunk("")})), LinkType::kEthernet, p),
            ParseStatus::kBadSctpDataChunkLength);
  EXPECT_EQ(parse_frame(ipv4_sctp(cat({common, kSack, Bytes{9}})), LinkType::kEthernet, p),
            ParseStatus::kTruncatedSctpChunk);
  for (auto s : {ParseStatus::kTruncatedSctp, ParseStatus::kTruncatedSctpChunk,
                 ParseStatus::kBadSctpChunkLength, ParseStatus::kBadSctpDataChunkLength}) {
    EXPECT_TRUE(is_malformed(s)) << to_string(s);
  }
  EXPECT_FALSE(is_malformed(ParseStatus::kTunnelNotIp));
  EXPECT_EQ(to_string(ParseStatus::kBadSctpDataChunkLength), "bad_sctp_data_chunk_length");
}

}  // namespace
}  // namespace rv::dataplane
