// The planes' counters in /metrics (issue 14 item 5, STYLE.md 24): every field of every counter
// struct has a row in its descriptor table, and the one exporter writes every row.
#include "control/metrics/plane_metrics.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "planes/media/media_counter_descs.hpp"
#include "planes/signaling/signaling_counter_descs.hpp"
#include "planes/transport/transport_counter_descs.hpp"

namespace rv::control {
namespace {

using dataplane::Counter;
using dataplane::CounterDesc;
using planes::media::MediaCounters;
using planes::media::MediaHistograms;
using planes::signaling::SignalingCounters;
using planes::transport::TransportCounters;

// The byte ranges of `c` the rows of `table` read.
template <class C, std::size_t N>
std::vector<bool> covered_bytes(const C& c, const std::array<CounterDesc<C>, N>& table) {
  std::vector<bool> covered(sizeof(C), false);
  const auto* base = reinterpret_cast<const std::byte*>(&c);
  const auto mark = [&](const void* p, std::size_t n) {
    const auto at = std::size_t(static_cast<const std::byte*>(p) - base);
    ASSERT_LE(at + n, sizeof(C));
    for (std::size_t i = 0; i < n; ++i) covered[at + i] = true;
  };
  for (const auto& d : table) {
    const int kinds = (d.field != nullptr) + (d.array != nullptr) + (d.histogram != nullptr);
    EXPECT_EQ(kinds, 1) << d.name;
    if (d.field != nullptr) mark(&(c.*d.field), sizeof(Counter));
    if (d.array != nullptr) mark(d.array(c).data(), d.array(c).size_bytes());
    if (d.histogram != nullptr) {
      const auto v = d.histogram(c);
      mark(v.storage.data(), v.storage.size());
    }
  }
  return covered;
}

// Every byte the struct's constructor writes belongs to some row. The struct is built over a
// 0xAB pattern: what still reads 0xAB afterwards is padding; every counter field (zeroed by its
// initialiser) is not, so a field without a row shows up as uncovered initialised bytes.
template <class C, std::size_t N>
void expect_every_field_has_a_row(const std::array<CounterDesc<C>, N>& table, const char* what) {
  auto storage = std::make_unique<std::byte[]>(sizeof(C) + alignof(C));
  void* p = storage.get();
  std::size_t space = sizeof(C) + alignof(C);
  ASSERT_NE(std::align(alignof(C), sizeof(C), p, space), nullptr);
  std::memset(p, 0xAB, sizeof(C));
  const C* c = ::new (p) C;  // default-initialised: padding keeps the pattern
  const auto covered = covered_bytes(*c, table);
  const auto* bytes = reinterpret_cast<const unsigned char*>(c);
  std::size_t uncovered = 0;
  for (std::size_t i = 0; i < sizeof(C); ++i) {
    if (!covered[i] && bytes[i] != 0xAB) {
      ADD_FAILURE() << what << ": byte " << i << " of " << sizeof(C)
                    << " is initialised but no descriptor row reads it";
      if (++uncovered > 3) break;
    }
  }
  c->~C();
}

TEST(PlaneMetrics, EveryCounterField_HasADescriptorRow) {
  expect_every_field_has_a_row(planes::signaling::kSignalingCounterDescs, "SignalingCounters");
  expect_every_field_has_a_row(planes::media::kMediaCounterDescs, "MediaCounters");
  expect_every_field_has_a_row(planes::media::kMediaHistogramDescs, "MediaHistograms");
  expect_every_field_has_a_row(planes::transport::kTransportCounterDescs, "TransportCounters");
}

template <class C, std::size_t N>
void check_names(const std::array<CounterDesc<C>, N>& table, std::set<std::string>& samples) {
  static const std::regex kName("rvoip_[a-z0-9_]+");
  for (const auto& d : table) {
    const std::string name(d.name);
    EXPECT_TRUE(std::regex_match(name, kName)) << name;
    EXPECT_FALSE(d.help.empty()) << name;
    const bool total = name.ends_with("_total");
    EXPECT_EQ(total, d.type == dataplane::MetricType::kCounter) << name;
    if (d.array != nullptr) {
      EXPECT_FALSE(d.label.empty()) << name;
      EXPECT_NE(d.label_of, nullptr) << name;
    }
    // A family may span rows (drops by reason), a sample may not.
    std::string sample = name;
    sample.append("{").append(d.label).append("=").append(d.label_value);
    if (d.array == nullptr) {
      EXPECT_TRUE(samples.insert(sample).second) << "twice: " << sample;
    }
  }
}

TEST(PlaneMetrics, DescriptorNames_FollowThePrometheusConventions) {
  std::set<std::string> samples;
  check_names(planes::signaling::kSignalingCounterDescs, samples);
  check_names(planes::media::kMediaCounterDescs, samples);
  check_names(planes::media::kMediaHistogramDescs, samples);
  check_names(planes::transport::kTransportCounterDescs, samples);
}

// Sets every counter a table reads to a distinct non-zero value (so sparse rows show).
template <class C, std::size_t N>
void fill(C& c, const std::array<CounterDesc<C>, N>& table, uint64_t& next) {
  for (const auto& d : table) {
    if (d.field != nullptr) (c.*d.field).set(++next);
    if (d.array != nullptr) {
      for (const Counter& k : d.array(c)) const_cast<Counter&>(k).set(++next);
    }
    if (d.histogram != nullptr) {
      const auto v = d.histogram(c);
      for (const Counter& k : v.buckets) const_cast<Counter&>(k).set(++next);
      const_cast<Counter*>(v.count)->set(++next);
    }
  }
}

struct Scrape {
  std::unique_ptr<SignalingCounters> signaling = std::make_unique<SignalingCounters>();
  std::unique_ptr<MediaCounters> media = std::make_unique<MediaCounters>();
  std::unique_ptr<MediaHistograms> histograms = std::make_unique<MediaHistograms>();
  std::unique_ptr<TransportCounters> transport = std::make_unique<TransportCounters>();

  Scrape() {
    uint64_t next = 0;
    fill(*signaling, planes::signaling::kSignalingCounterDescs, next);
    fill(*media, planes::media::kMediaCounterDescs, next);
    fill(*histograms, planes::media::kMediaHistogramDescs, next);
    fill(*transport, planes::transport::kTransportCounterDescs, next);
  }

  // Two shards with the same counts: every exported value is twice the field.
  std::string text() const {
    MetricsRegistry registry;
    registry.add([this](MetricsWriter& w) {
      const std::array<const TransportCounters*, 2> t = {transport.get(), transport.get()};
      const std::array<const SignalingCounters*, 2> s = {signaling.get(), signaling.get()};
      const std::array<const MediaCounters*, 2> m = {media.get(), media.get()};
      const std::array<const MediaHistograms*, 2> h = {histograms.get(), histograms.get()};
      write_transport_metrics(w, t);
      write_signaling_metrics(w, s);
      write_media_metrics(w, m, h);
    });
    return registry.serialize();
  }
};

// The value of the sample line starting with `series` (name and labels), or -1.
double value_of(const std::string& text, const std::string& series) {
  std::string line = "\n";
  line.append(series).append(" ");
  const std::size_t at = text.find(line);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + 1 + series.size() + 1));
}

template <class C, std::size_t N>
void expect_exported(const std::string& text, const C& c,
                     const std::array<CounterDesc<C>, N>& table) {
  for (const auto& d : table) {
    const std::string name(d.name);
    std::string help = "# HELP ";
    help.append(name).append(" ");
    EXPECT_NE(text.find(help), std::string::npos) << name;
    if (d.histogram != nullptr) {
      std::string bucket = "\n";
      bucket.append(name).append("_bucket{");
      EXPECT_NE(text.find(bucket), std::string::npos) << name;
      EXPECT_EQ(value_of(text, name + "_count"), 2.0 * double(d.histogram(c).count->load()))
          << name;
      continue;
    }
    const std::array<const C*, 1> one = {&c};
    std::size_t samples = 0;
    dataplane::for_each_sample(d, std::span<const C* const>(one),
                               [&](std::string_view key, std::string_view value, uint64_t v) {
                                 ++samples;
                                 std::string series = name;
                                 if (!key.empty()) {
                                   series.append("{").append(key).append("=\"");
                                   series.append(value).append("\"}");
                                 }
                                 EXPECT_EQ(value_of(text, series), 2.0 * double(v)) << series;
                               });
    EXPECT_GT(samples, 0u) << name;
  }
}

TEST(PlaneMetrics, Exporter_WritesEveryRow_SummedOverShards) {
  const Scrape s;
  const std::string text = s.text();
  expect_exported(text, *s.signaling, planes::signaling::kSignalingCounterDescs);
  expect_exported(text, *s.media, planes::media::kMediaCounterDescs);
  expect_exported(text, *s.histograms, planes::media::kMediaHistogramDescs);
  expect_exported(text, *s.transport, planes::transport::kTransportCounterDescs);
}

// Issue 14 item 5: these were counted but exported nowhere.
TEST(PlaneMetrics, CountersTheIssueFoundUnexported_AreInMetrics) {
  Scrape s;
  s.signaling->tcp_buffer_overflows.set(11);
  s.signaling->tcp_ooo_dropped.set(12);
  s.signaling->tcp_streams_evicted.set(13);
  s.signaling->tcp_resync_skipped_bytes.set(14);
  s.signaling->malformed[std::size_t(planes::signaling::SipParseStatus::kTooLarge)].set(15);
  s.media->rtcp_invalid[std::size_t(planes::media::RtcpParseStatus::kBadVersion)].set(16);
  s.media->rtp_untracked.set(17);
  s.media->endpoints_rejected.set(18);
  s.media->rtcp_blocks_unmatched.set(19);
  s.transport->sip_continuations.set(20);
  s.transport->reassembled_unparsed.set(21);
  s.transport->fragment_copy_failed.set(22);
  const std::string text = s.text();
  const std::map<std::string, double> want = {
      {"rvoip_sip_tcp_buffer_overflows_total", 22},
      {"rvoip_sip_tcp_out_of_order_dropped_total", 24},
      {"rvoip_sip_tcp_streams_evicted_total", 26},
      {"rvoip_sip_tcp_resync_skipped_bytes_total", 28},
      {"rvoip_sip_malformed_total{reason=\"too_large\"}", 30},
      {"rvoip_rtcp_invalid_total{reason=\"bad_version\"}", 32},
      {"rvoip_rtp_untracked_total", 34},
      {"rvoip_media_endpoints_rejected_total", 36},
      {"rvoip_rtcp_report_blocks_unmatched_total", 38},
      {"rvoip_sip_tcp_continuations_total", 40},
      {"rvoip_packets_reassembled_unparsed_total", 42},
      {"rvoip_packets_not_inspected_total{reason=\"fragment_copy_failed\"}", 44},
  };
  for (const auto& [series, value] : want) EXPECT_EQ(value_of(text, series), value) << series;
}

}  // namespace
}  // namespace rv::control
