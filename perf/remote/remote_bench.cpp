// remote_bench: the federation's cost over loopback NATS (issue 11 benchmarks). Starts its own
// nats-server -js on a free port (temporary store) and stops it at the end.
//   BM_Remote_BridgeToJetStream      events through ProbeBridge: batched (512), zstd, published
//                                    with js_PublishAsync, counted when JetStream acknowledged
//   BM_Remote_Baseline_RawPublish    the same events' protobuf bytes, one natsConnection_Publish
//                                    each (core NATS, no batching, no compression, no acks)
//   BM_Remote_BytesPerCall           a call's SIP summaries (INVITE 100 180 200 ACK BYE 200,
//                                    SDP in INVITE and 200) and its 2 stream starts and ends,
//                                    batched like the bridge: raw and zstd bytes per call
//   BM_Remote_EndToEndLag            an event's time from ProbeBridge::add() to the analyzer's
//                                    decode (AnalyzerConsumer sink) under load: p50 / p99
// Targets: >= 1 M events/s per probe connection, <= 2 KB per call.
// Run: build/perf/remote/remote_bench

#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "planes/remote/analyzer_consumer.hpp"
#include "planes/remote/probe_bridge.hpp"
#include "planes/remote/wire_format.hpp"
#include "planes/signaling/sip_parser.hpp"
#include "planes/signaling/sip_summary_event.hpp"
#include "tests/support/loopback.hpp"

extern char** environ;

namespace {

using namespace rv::planes;
using Clock = std::chrono::steady_clock;

std::string g_url;

uint64_t unix_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

std::string sdp(const char* ip, int port) {
  return std::string("v=0\r\no=- 1 1 IN IP4 ") + ip + "\r\ns=-\r\nc=IN IP4 " + ip +
         "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n";
}

std::string message(const std::string& first, const std::string& call_id, int cseq,
                    const char* method, bool to_tag, const std::string& body) {
  std::string m = first + "\r\n";
  m += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" + call_id.substr(0, 8) + method + "\r\n";
  m += "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n";
  m += std::string("To: <sip:bob@biloxi.example.com>") + (to_tag ? ";tag=a6c85cf" : "") + "\r\n";
  m += "Call-ID: " + call_id + "\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  m += "Contact: <sip:alice@192.0.2.10:5060>\r\nMax-Forwards: 70\r\n";
  if (!body.empty()) m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

// The events one call sends: 7 SIP summaries, 2 stream starts, 2 stream ends.
struct CallEvents {
  std::vector<signaling::SipMessageEvent> sip;
  std::vector<media::StreamStarted> started;
  std::vector<media::StreamEnded> ended;
};

CallEvents make_call(int i) {
  const std::string id = "bench-" + std::to_string(i) + "-a84b4c76e66710@pc33.atlanta.example.com";
  const std::string ruri = "INVITE sip:bob@biloxi.example.com SIP/2.0";
  const std::vector<std::string> raw = {
      message(ruri, id, 1, "INVITE", false, sdp("192.0.2.10", 49170)),
      message("SIP/2.0 100 Trying", id, 1, "INVITE", false, ""),
      message("SIP/2.0 180 Ringing", id, 1, "INVITE", true, ""),
      message("SIP/2.0 200 OK", id, 1, "INVITE", true, sdp("198.51.100.20", 3456)),
      message("ACK sip:bob@198.51.100.20 SIP/2.0", id, 1, "ACK", true, ""),
      message("BYE sip:bob@198.51.100.20 SIP/2.0", id, 2, "BYE", true, ""),
      message("SIP/2.0 200 OK", id, 2, "BYE", true, "")};
  CallEvents c;
  static signaling::SipMessage parsed;
  for (const auto& m : raw) {
    const std::span<const uint8_t> b(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    if (signaling::parse_sip_message(b, signaling::SipTransport::kUdp, parsed) !=
        signaling::SipParseStatus::kOk) {
      std::abort();
    }
    signaling::SipMessageEvent e{};
    e.timestamp_ns = 1;
    e.length = parsed.length;
    signaling::store_summary(signaling::SipSummary::of(parsed), e);
    c.sip.push_back(e);
  }
  for (int s = 0; s < 2; ++s) {
    media::StreamEnded e{};
    const uint8_t a[4] = {192, 0, 2, 10};
    const uint8_t b[4] = {198, 51, 100, 20};
    e.flow = {{rv::dataplane::IpAddress::v4(s ? b : a), uint16_t(s ? 3456 : 49170)},
              {rv::dataplane::IpAddress::v4(s ? a : b), uint16_t(s ? 49170 : 3456)}, 17};
    e.ssrc = 0x1000u + uint32_t(i * 2 + s);
    e.payload_type = 8;
    e.packets = 1500;
    e.expected = 1502;
    e.lost = 2;
    e.jitter_mean_ms = 1.3f;
    e.jitter_max_ms = 4.2f;
    e.mos_x10 = 42;
    e.first_ns = 1'000'000'000ull * uint64_t(i);
    e.last_ns = e.first_ns + 30'000'000'000ull;
    e.bytes = 240000;
    c.ended.push_back(e);
    c.started.push_back({e.flow, e.ssrc, 8, 2, 0, e.first_ns});
  }
  return c;
}

const std::vector<CallEvents>& calls() {
  static const std::vector<CallEvents> pool = [] {
    std::vector<CallEvents> v;
    for (int i = 0; i < 512; ++i) v.push_back(make_call(i));
    return v;
  }();
  return pool;
}

constexpr int64_t kEventsPerCall = 11;

rv::config::DeploymentConfig bench_config(const std::string& probe) {
  rv::config::DeploymentConfig cfg;
  cfg.mode = "probe";
  cfg.nats_url = {g_url};
  cfg.probe_id = probe;
  cfg.batch_max = 512;
  cfg.batch_ms = 5;
  cfg.buffer_events = 1u << 24;
  return cfg;
}

void add_all(remote::ProbeBridge& b, uint64_t stamp) {
  for (const auto& c : calls()) {
    for (auto e : c.sip) {
      e.timestamp_ns = stamp != 0 ? unix_ns() : e.timestamp_ns;
      b.add(e);
    }
    for (const auto& e : c.started) b.add(e);
    for (const auto& e : c.ended) b.add(e);
  }
}

void drain(remote::ProbeBridge& b) {
  while (b.buffered() != 0) {
    if (b.poll() == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void BM_Remote_BridgeToJetStream(benchmark::State& state) {
  auto bridge = remote::ProbeBridge::create(bench_config("bench-bridge"), false, {});
  if (!bridge) {
    state.SkipWithError(bridge.error().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    add_all(**bridge, 0);
    drain(**bridge);
  }
  const auto& c = (*bridge)->counters();
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(calls().size()) * kEventsPerCall);
  state.counters["acked_events"] = double(c.events_acked.load());
  state.counters["wire_B_per_event"] = double(c.bytes_wire.load()) / double(std::max<uint64_t>(1, c.events_acked.load()));
}
BENCHMARK(BM_Remote_BridgeToJetStream)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Remote_Baseline_RawPublish(benchmark::State& state) {
  natsConnection* nc = nullptr;
  if (natsConnection_ConnectTo(&nc, g_url.c_str()) != NATS_OK) {
    state.SkipWithError("cannot connect");
    return;
  }
  std::vector<std::string> payloads;  // the same events, serialized one by one
  for (const auto& c : calls()) {
    for (const auto& e : c.sip) {
      remote::wire::SipMessage w;
      remote::to_wire(e, w);
      payloads.push_back(w.SerializeAsString());
    }
    for (const auto& e : c.started) {
      remote::wire::StreamStarted w;
      remote::to_wire(e, w);
      payloads.push_back(w.SerializeAsString());
    }
    for (const auto& e : c.ended) {
      remote::wire::StreamEnded w;
      remote::to_wire(e, w);
      payloads.push_back(w.SerializeAsString());
    }
  }
  for (auto _ : state) {
    for (const auto& p : payloads) {
      natsConnection_Publish(nc, "rawbench.events", p.data(), int(p.size()));
    }
    natsConnection_FlushTimeout(nc, 10000);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(payloads.size()));
  natsConnection_Destroy(nc);
}
BENCHMARK(BM_Remote_Baseline_RawPublish)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Remote_BytesPerCall(benchmark::State& state) {
  uint64_t raw = 0, wire_bytes = 0;
  for (auto _ : state) {
    raw = wire_bytes = 0;
    remote::wire::Batch sip, started, ended;
    for (const auto& c : calls()) {
      for (const auto& e : c.sip) remote::to_wire(e, *sip.add_events()->mutable_sip_message());
      for (const auto& e : c.started) remote::to_wire(e, *started.add_events()->mutable_stream_started());
      for (const auto& e : c.ended) remote::to_wire(e, *ended.add_events()->mutable_stream_ended());
    }
    for (auto* b : {&sip, &started, &ended}) {
      b->set_probe_id("edge-1");
      raw += remote::seal(*b, remote::Compression::kNone).size();
      wire_bytes += remote::seal(*b, remote::Compression::kZstd).size();
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(calls().size()));
  state.counters["raw_B_per_call"] = double(raw) / double(calls().size());
  state.counters["zstd_B_per_call"] = double(wire_bytes) / double(calls().size());
}
BENCHMARK(BM_Remote_BytesPerCall)->Unit(benchmark::kMillisecond);

void BM_Remote_EndToEndLag(benchmark::State& state) {
  std::mutex mu;
  std::vector<double> lags_us;
  remote::AnalyzerSinks sinks;
  sinks.sip_message = [&](const signaling::SipMessageEvent& e) {
    if (e.timestamp_ns < 1'000'000'000'000'000'000ull) return;  // other benchmarks' events
    const double lag = double(unix_ns() - e.timestamp_ns) / 1e3;
    std::lock_guard lock(mu);
    lags_us.push_back(lag);
  };
  auto bridge = remote::ProbeBridge::create(bench_config("bench-lag"), false, {});
  auto analyzer = remote::AnalyzerConsumer::create(bench_config("analyzer"), sinks, {});
  if (!bridge || !analyzer) {
    state.SkipWithError("cannot start the bridge or the analyzer");
    return;
  }
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    while (!stop.load()) (*analyzer)->poll(std::chrono::milliseconds(20));
  });
  std::size_t expected = 0;
  for (auto _ : state) {
    add_all(**bridge, 1);
    drain(**bridge);
    expected += calls().size() * 7;
  }
  for (int i = 0; i < 1000; ++i) {
    {
      std::lock_guard lock(mu);
      if (lags_us.size() >= expected) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop.store(true);
  consumer.join();
  std::sort(lags_us.begin(), lags_us.end());
  if (lags_us.empty()) {
    state.SkipWithError("no event reached the analyzer");
    return;
  }
  state.SetItemsProcessed(int64_t(lags_us.size()));
  state.counters["lag_p50_us"] = lags_us[lags_us.size() / 2];
  state.counters["lag_p99_us"] = lags_us[lags_us.size() * 99 / 100];
  state.counters["received"] = double(lags_us.size());
}
BENCHMARK(BM_Remote_EndToEndLag)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(20);

}  // namespace

int main(int argc, char** argv) {
  const uint16_t port = rv::test::pick_port();
  const std::string store = "/tmp/rv_remote_bench_" + std::to_string(getpid());
  const std::string p = std::to_string(port);
  std::vector<std::string> args = {"/usr/sbin/nats-server", "-js", "-a", "127.0.0.1", "-p", p, "-sd", store};
  std::vector<char*> argvs;
  for (auto& a : args) argvs.push_back(a.data());
  argvs.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawn(&pid, argvs[0], &fa, nullptr, argvs.data(), environ) != 0) return 1;
  g_url = "nats://127.0.0.1:" + p;
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::filesystem::remove_all(store);
  return 0;
}
