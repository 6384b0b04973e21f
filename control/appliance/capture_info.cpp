#include "control/appliance/capture_info.hpp"

#include <pcap/pcap.h>

#include <fmt/format.h>

namespace rv::control {

Result<CaptureInfo> inspect_capture(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) {
    return make_error(ErrorCode::kIo, fmt::format("cannot read capture {}: {} (give a pcap or "
                                                  "pcapng file)", path, err));
  }
  CaptureInfo info;
  info.path = path;
  const int dlt = pcap_datalink(p);
  info.link = static_cast<dataplane::LinkType>(dlt);
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
    const uint64_t ts = uint64_t(hdr->ts.tv_sec) * 1'000'000'000ull + uint64_t(hdr->ts.tv_usec);
    if (info.frames == 0) info.first_ns = ts;
    info.last_ns = ts;
    ++info.frames;
    info.bytes += hdr->caplen;
  }
  const std::string why = rc == PCAP_ERROR ? pcap_geterr(p) : "";
  pcap_close(p);
  if (rc == PCAP_ERROR) {
    info.truncated = true;
    info.damage = why;
  }
  switch (info.link) {
    case dataplane::LinkType::kEthernet:
    case dataplane::LinkType::kRaw:
    case dataplane::LinkType::kLinuxSll:
    case dataplane::LinkType::kLinuxSll2:
    case dataplane::LinkType::kNull:
      break;
    default:
      if (dlt == 12 || dlt == 14) {  // DLT_RAW on some systems
        info.link = dataplane::LinkType::kRaw;
        break;
      }
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("capture {} has link type {} ({}); supported: Ethernet, "
                                    "Linux cooked (SLL, SLL2), raw IP, BSD loopback",
                                    path, dlt, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?"));
  }
  return info;
}

std::string truncation_warning(const CaptureInfo& info) {
  return fmt::format("capture {} is cut short or damaged after {} frames ({}); replaying those {} "
                     "frames, as tshark reads them", info.path, info.frames, info.damage,
                     info.frames);
}

}  // namespace rv::control
