#include "tests/support/pcap_file.hpp"

#include <pcap/pcap.h>

#include <stdexcept>

#include "rv_build_config.hpp"

namespace rv::test {

PcapFile read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO,
                                                      err);
  if (p == nullptr) throw std::runtime_error("cannot read capture " + path + ": " + err);
  PcapFile file;
  file.link = static_cast<dataplane::LinkType>(pcap_datalink(p));
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &hdr, &data) == 1) {
    PcapFrame f;
    f.timestamp_ns = uint64_t(hdr->ts.tv_sec) * 1'000'000'000ull + uint64_t(hdr->ts.tv_usec);
    f.bytes.assign(data, data + hdr->caplen);
    file.frames.push_back(std::move(f));
  }
  pcap_close(p);
  return file;
}

std::string shared_pcap(const std::string& name) {
  return std::string(RV_SOURCE_DIR) + "/tests/data/pcaps/" + name;
}

std::string test_data(const std::string& name) {
  return std::string(RV_SOURCE_DIR) + "/tests/data/" + name;
}

}  // namespace rv::test
