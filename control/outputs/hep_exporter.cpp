#include "control/outputs/hep_exporter.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "config/validate.hpp"
#include "dataplane/address_format.hpp"
#include "planes/media/codec.hpp"

namespace rv::control {
namespace {

constexpr std::size_t kBatch = 64;
constexpr std::size_t kMaxCallIds = 1 << 18;


}  // namespace

HepExporter::HepExporter(const config::HepConfig& cfg) : cfg_(cfg), tcp_(cfg.transport == "tcp") {}

HepExporter::~HepExporter() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<HepExporter>> HepExporter::open(const config::HepConfig& cfg) {
  std::unique_ptr<HepExporter> h(new HepExporter(cfg));
  std::string host;
  uint16_t port = 0;
  if (!config::split_listen_address(cfg.address, host, port)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("control.hep.address: expected host:port, got '{}'", cfg.address));
  }
  addrinfo hints{};
  hints.ai_socktype = h->tcp_ ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("control.hep.address {}: {}", cfg.address, ::gai_strerror(rc)));
  }
  std::memcpy(&h->addr_, res->ai_addr, res->ai_addrlen);
  h->addr_len_ = res->ai_addrlen;
  const int family = res->ai_family;
  ::freeaddrinfo(res);
  if (!h->tcp_) {
    h->fd_ = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (h->fd_ < 0 || ::connect(h->fd_, reinterpret_cast<sockaddr*>(&h->addr_), h->addr_len_) != 0) {
      return make_error(ErrorCode::kIo, fmt::format("control.hep.address {}: {}", cfg.address,
                                                    std::strerror(errno)));
    }
    h->connected_ = true;
  }
  return h;
}

void HepExporter::remember_call(uint64_t hash, std::string_view call_id) {
  if (hash == 0 || call_ids_.contains(hash)) return;
  if (call_ids_.size() >= kMaxCallIds) {
    call_ids_.erase(call_order_.front());
    call_order_.pop_front();
  }
  call_ids_.emplace(hash, call_id);
  call_order_.push_back(hash);
}

std::string_view HepExporter::call_id_of(uint64_t hash) const {
  const auto it = call_ids_.find(hash);
  return it == call_ids_.end() ? std::string_view{} : std::string_view(it->second);
}

void HepExporter::enqueue(const hep::HepMeta& meta, std::string_view payload,
                          std::atomic<uint64_t>& kind) {
  if (queue_.size() >= cfg_.queue_packets) {
    flush();
    if (queue_.size() >= cfg_.queue_packets) {
      counters_.dropped_queue.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::string pkt;
  if (!spare_.empty()) {
    pkt = std::move(spare_.back());
    spare_.pop_back();
    pkt.clear();
  }
  if (!hep::encode(meta, payload, pkt)) {
    counters_.dropped_size.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(pkt));
  kind.fetch_add(1, std::memory_order_relaxed);
  if (queue_.size() >= kBatch) flush();
  counters_.queued.store(queue_.size(), std::memory_order_relaxed);
}

void HepExporter::on_sip_message(const planes::signaling::SipMessageEvent& e) {
  if (e.raw_truncated != 0 || e.raw_len == 0) {
    counters_.dropped_size.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  remember_call(e.call_id_hash, e.call_id.view());
  hep::HepMeta m{e.flow, e.timestamp_ns, hep::ProtoType::kSip, cfg_.node_id, cfg_.password,
                 e.call_id.view()};
  enqueue(m, e.raw_view(), counters_.sip);
}

void HepExporter::on_call(const planes::signaling::CallEvent& e) {
  remember_call(e.record.key_hash, e.record.call_id.view());
}

namespace {

struct Quality {
  const dataplane::FlowKey& flow;
  uint32_t ssrc;
  uint8_t payload_type;
  uint8_t codec;
  uint64_t packets;
  int64_t expected;
  int64_t lost;
  double jitter_ms;
  double jitter_max_ms;
  double max_delta_ms;
  double mos;
  uint64_t timestamp_ns;
  bool final;
};

// Homer's RTP agent report fields (upper case, as rtpagent and heplify send them).
std::string quality_json(const Quality& q, std::string_view call_id) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  const auto s = [&w](const char* k, std::string_view v) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  s("CORRELATION_ID", call_id);
  s("RTP_SIP_CALL_ID", call_id);
  s("TYPE", q.final ? "HANGUP" : "PERIODIC");
  s("REPORT_NAME", "rvoipd");
  s("SRC_IP", dataplane::format_address(q.flow.src.addr));
  w.Key("SRC_PORT");
  w.Uint(q.flow.src.port);
  s("DST_IP", dataplane::format_address(q.flow.dst.addr));
  w.Key("DST_PORT");
  w.Uint(q.flow.dst.port);
  w.Key("SSRC");
  w.Uint(q.ssrc);
  w.Key("CODEC_PT");
  w.Uint(q.payload_type);
  s("CODEC_NAME", planes::media::codec_name(static_cast<planes::media::Codec>(q.codec)));
  w.Key("TOTAL_PK");
  w.Uint64(q.packets);
  w.Key("EXPECTED_PK");
  w.Int64(q.expected);
  w.Key("PACKET_LOSS");
  w.Int64(q.lost);
  w.Key("JITTER");
  w.Double(q.jitter_ms);
  w.Key("MAX_JITTER");
  w.Double(q.jitter_max_ms);
  w.Key("MAX_DELTA");
  w.Double(q.max_delta_ms);
  w.Key("MOS");
  w.Double(q.mos);
  w.Key("REPORT_TS");
  w.Double(double(q.timestamp_ns) / 1e9);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

}  // namespace

void HepExporter::on_stream_interval(const planes::media::StreamInterval& e) {
  const std::string_view id = call_id_of(e.call_hash);
  const Quality q{e.flow, e.ssrc, e.payload_type, e.codec, e.packets, e.expected, e.lost,
                  e.jitter_ms, e.jitter_max_ms, e.max_delta_ms, e.mos_x10 / 10.0, e.timestamp_ns,
                  false};
  hep::HepMeta m{e.flow, e.timestamp_ns, hep::ProtoType::kQosReport, cfg_.node_id, cfg_.password, id};
  enqueue(m, quality_json(q, id), counters_.reports);
}

void HepExporter::on_stream_ended(const planes::media::StreamEnded& e) {
  const std::string_view id = call_id_of(e.call_hash);
  const Quality q{e.flow, e.ssrc, e.payload_type, e.codec, e.packets, e.expected, e.lost,
                  e.jitter_mean_ms, e.jitter_max_ms, e.max_delta_ms, e.mos_x10 / 10.0,
                  e.last_ns, true};
  hep::HepMeta m{e.flow, e.last_ns, hep::ProtoType::kQosReport, cfg_.node_id, cfg_.password, id};
  enqueue(m, quality_json(q, id), counters_.reports);
}

// Drops the queue's front, keeping its buffer for the next packet.
void HepExporter::recycle() {
  if (spare_.size() < 2 * kBatch) spare_.push_back(std::move(queue_.front()));
  queue_.pop_front();
}

void HepExporter::flush() {
  if (tcp_) {
    flush_tcp();
  } else {
    flush_udp();
  }
  counters_.queued.store(queue_.size(), std::memory_order_relaxed);
}

void HepExporter::flush_udp() {
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iov{};
  while (!queue_.empty()) {
    const std::size_t n = std::min(queue_.size(), kBatch);
    for (std::size_t i = 0; i < n; ++i) {
      iov[i] = {queue_[i].data(), queue_[i].size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(fd_, msgs.data(), static_cast<unsigned>(n), MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return;  // retry later
      // ECONNREFUSED (no collector listening yet) and the like: this packet is lost.
      counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
      counters_.dropped_error.fetch_add(1, std::memory_order_relaxed);
      queue_.pop_front();
      continue;
    }
    for (int i = 0; i < sent; ++i) {
      counters_.bytes.fetch_add(queue_.front().size(), std::memory_order_relaxed);
      recycle();
    }
    counters_.packets.fetch_add(uint64_t(sent), std::memory_order_relaxed);
    if (static_cast<std::size_t>(sent) < n) return;
  }
}

bool HepExporter::connect_tcp() {
  if (connected_) return true;
  if (fd_ >= 0) {
    // A connect in progress: done when writable without a pending error.
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) {
      connected_ = true;
      counters_.connects.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_connect_ < std::chrono::seconds(1)) return false;
  last_connect_ = now;
  fd_ = ::socket(addr_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr_), addr_len_) == 0) {
    connected_ = true;
    counters_.connects.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (errno != EINPROGRESS) {
    counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
    ::close(fd_);
    fd_ = -1;
  }
  return false;
}

void HepExporter::flush_tcp() {
  if (queue_.empty() || !connect_tcp()) return;
  while (!queue_.empty()) {
    const std::string& p = queue_.front();
    const ssize_t n = ::send(fd_, p.data() + sent_offset_, p.size() - sent_offset_,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
      // The peer is gone: a packet cut in the middle is lost; reconnect and go on.
      if (sent_offset_ != 0) {
        counters_.dropped_error.fetch_add(1, std::memory_order_relaxed);
        queue_.pop_front();
        sent_offset_ = 0;
      }
      ::close(fd_);
      fd_ = -1;
      connected_ = false;
      return;
    }
    sent_offset_ += std::size_t(n);
    if (sent_offset_ == p.size()) {
      counters_.bytes.fetch_add(p.size(), std::memory_order_relaxed);
      counters_.packets.fetch_add(1, std::memory_order_relaxed);
      recycle();
      sent_offset_ = 0;
    }
  }
}

void HepExporter::finish(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  flush();
  while (!queue_.empty() && std::chrono::steady_clock::now() < deadline) {
    if (tcp_ && !connected_ && fd_ < 0) last_connect_ = {};  // retry now, not in a second
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    flush();
  }
  counters_.dropped_error.fetch_add(queue_.size(), std::memory_order_relaxed);
  queue_.clear();
  counters_.queued.store(0, std::memory_order_relaxed);
}

}  // namespace rv::control
