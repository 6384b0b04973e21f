#include "control/outputs/call_extractor.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet_parser.hpp"

namespace rv::control {
namespace {

std::string endpoint_key(const dataplane::IpAddress& addr, uint16_t port) {
  std::string k(19, '\0');
  std::memcpy(k.data(), addr.bytes.data(), 16);
  k[16] = static_cast<char>(addr.family);
  std::memcpy(k.data() + 17, &port, 2);
  return k;
}

std::string conversation_key(const dataplane::FlowKey& f) {
  const dataplane::FlowKey c = f.canonical();
  return endpoint_key(c.src.addr, c.src.port) + endpoint_key(c.dst.addr, c.dst.port) +
         static_cast<char>(c.ip_proto);
}

// Captured Call-IDs are truncated copies: a full-length copy matches a longer request by prefix.
template <std::size_t N>
bool same_call_id(const planes::signaling::FixedString<N>& seen, std::string_view wanted) {
  const std::string_view v = seen.view();
  if (v.size() == seen.data.size()) return wanted.starts_with(v);
  return v == wanted;
}

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

}  // namespace

CallExtractor::CallExtractor(std::vector<std::string> call_ids, std::string out_dir)
    : out_dir_(std::move(out_dir)) {
  for (auto& id : call_ids) {
    if (std::none_of(wanted_.begin(), wanted_.end(), [&](const Wanted& w) { return w.call_id == id; })) {
      wanted_.push_back(Wanted{std::move(id), {}, {}, {}, UINT64_MAX, 0});
    }
  }
}

std::string CallExtractor::file_name(std::string_view call_id) {
  std::string s(call_id);
  for (char& c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) c = '_';
  }
  if (s.empty() || s[0] == '.') s = std::string("_") + s;
  return s + ".pcap";
}

CallExtractor::Wanted* CallExtractor::by_hash(uint64_t hash) {
  for (auto& w : wanted_) {
    if (w.hashes.contains(hash)) return &w;
  }
  return nullptr;
}

void CallExtractor::add_endpoint(Wanted& w, const dataplane::IpAddress& addr, uint16_t port) {
  if (port == 0) return;
  w.endpoints.insert(endpoint_key(addr, port));
  if (port < 65535) w.endpoints.insert(endpoint_key(addr, uint16_t(port + 1)));  // RTCP
}

void CallExtractor::span(Wanted& w, uint64_t ns) {
  if (ns == 0) return;
  w.first_ns = std::min(w.first_ns, ns);
  w.last_ns = std::max(w.last_ns, ns);
}

void CallExtractor::on_sip_message(const planes::signaling::SipMessageEvent& e) {
  for (auto& w : wanted_) {
    if (!same_call_id(e.call_id, w.call_id)) continue;
    w.hashes.insert(e.call_id_hash);
    w.sip.emplace(e.timestamp_ns, conversation_key(e.flow));
    span(w, e.timestamp_ns);
    for (uint8_t i = 0; i < e.media_count; ++i) add_endpoint(w, e.media[i].addr, e.media[i].port);
  }
}

void CallExtractor::on_call(const planes::signaling::CallEvent& e) {
  for (auto& w : wanted_) {
    if (!same_call_id(e.record.call_id, w.call_id)) continue;
    w.hashes.insert(e.record.key_hash);
    span(w, e.record.invite_ns);
    for (uint8_t i = 0; i < e.record.media_count; ++i) {
      add_endpoint(w, e.record.media[i].addr, e.record.media[i].port);
    }
  }
}

void CallExtractor::on_stream_started(const planes::media::StreamStarted& e) {
  if (Wanted* w = e.call_hash ? by_hash(e.call_hash) : nullptr) {
    w->endpoints.insert(endpoint_key(e.flow.src.addr, e.flow.src.port));
    w->endpoints.insert(endpoint_key(e.flow.dst.addr, e.flow.dst.port));
    span(*w, e.first_ns);
  }
}

void CallExtractor::on_stream_ended(const planes::media::StreamEnded& e) {
  if (Wanted* w = e.call_hash ? by_hash(e.call_hash) : nullptr) span(*w, e.last_ns);
}

Result<void> CallExtractor::prepare() const {
  std::error_code ec;
  std::filesystem::create_directories(out_dir_, ec);
  if (ec || !std::filesystem::is_directory(out_dir_)) {
    return make_error(ErrorCode::kIo, fmt::format("--out {}: not a directory that can be created "
                                                  "({})", out_dir_, ec ? ec.message() : "exists"));
  }
  return {};
}

Result<std::vector<ExtractedCall>> CallExtractor::write(const std::vector<CaptureInfo>& captures) const {
  std::vector<ExtractedCall> out;
  std::vector<std::unique_ptr<pcap_dumper_t, DumperCloser>> dumpers;
  std::unique_ptr<pcap_t, PcapCloser> dead;
  for (const auto& w : wanted_) {
    out.push_back({w.call_id, out_dir_ + "/" + file_name(w.call_id), 0, 0});
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  for (const auto& cap : captures) {
    std::unique_ptr<pcap_t, PcapCloser> in(pcap_open_offline(cap.path.c_str(), err));
    if (!in) return make_error(ErrorCode::kIo, fmt::format("--extract: cannot read {}: {}", cap.path, err));
    const int dlt = pcap_datalink(in.get());
    if (!dead) {
      dead.reset(pcap_open_dead(dlt, 262144));
      for (const auto& x : out) {
        dumpers.emplace_back(pcap_dump_open(dead.get(), x.file.c_str()));
        if (!dumpers.back()) {
          return make_error(ErrorCode::kIo, fmt::format("--extract: cannot write {}: {}", x.file,
                                                        pcap_geterr(dead.get())));
        }
      }
    } else if (dlt != pcap_datalink(dead.get())) {
      continue;  // one link type per output file: the first capture's
    }
    const auto link = static_cast<dataplane::LinkType>(dlt);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(in.get(), &hdr, &data) == 1) {
      // The replay's clock: net_pcap's microseconds (dataplane::kPcapNsPerUnit).
      const uint64_t ns = (uint64_t(hdr->ts.tv_sec) * 1'000'000ull + uint64_t(hdr->ts.tv_usec)) * 1000ull;
      dataplane::ParsedPacket p;
      const auto st = dataplane::parse_frame({data, hdr->caplen}, link, p);
      if (p.l3 == dataplane::L3Proto::kNone) continue;
      const bool l4 = st == dataplane::ParseStatus::kOk;
      const dataplane::FlowKey flow{{p.src, l4 ? p.src_port : uint16_t(0)},
                                    {p.dst, l4 ? p.dst_port : uint16_t(0)}, p.ip_proto};
      const std::string conv = conversation_key(flow);
      for (std::size_t i = 0; i < wanted_.size(); ++i) {
        const Wanted& w = wanted_[i];
        const bool sip = w.sip.contains({ns, conv});
        const bool media = l4 && p.ip_proto == dataplane::kIpProtoUdp && ns >= w.first_ns &&
                           ns <= w.last_ns &&
                           (w.endpoints.contains(endpoint_key(p.src, p.src_port)) ||
                            w.endpoints.contains(endpoint_key(p.dst, p.dst_port)));
        if (!sip && !media) continue;
        pcap_dump(reinterpret_cast<u_char*>(dumpers[i].get()), hdr, data);
        ++out[i].frames;
        out[i].sip_frames += sip ? 1 : 0;
      }
    }
  }
  for (auto& d : dumpers) {
    if (pcap_dump_flush(d.get()) != 0) {
      return make_error(ErrorCode::kIo, "--extract: writing an output pcap failed");
    }
  }
  return out;
}

}  // namespace rv::control
