#include "tests/support/pcap_file.hpp"

#include <pcap/pcap.h>

#include <stdexcept>

#include "rv_build_config.hpp"

namespace rv::test {
namespace {

// libpcap speaks DLT_ values; the file holds LINKTYPE_ values. They differ only for raw IP.
dataplane::LinkType link_of(int dlt) {
  return dlt == DLT_RAW ? dataplane::LinkType::kRaw : static_cast<dataplane::LinkType>(dlt);
}
int dlt_of(dataplane::LinkType link) {
  return link == dataplane::LinkType::kRaw ? DLT_RAW : static_cast<int>(link);
}

}  // namespace

PcapFile read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO,
                                                      err);
  if (p == nullptr) throw std::runtime_error("cannot read capture " + path + ": " + err);
  PcapFile file;
  file.link = link_of(pcap_datalink(p));
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

struct PcapWriter::Handles {
  pcap_t* dead = nullptr;
  pcap_dumper_t* dumper = nullptr;
};

PcapWriter::PcapWriter(const std::string& path, dataplane::LinkType link)
    : handles_(new Handles) {
  handles_->dead =
      pcap_open_dead_with_tstamp_precision(dlt_of(link), 65535, PCAP_TSTAMP_PRECISION_MICRO);
  if (handles_->dead != nullptr) handles_->dumper = pcap_dump_open(handles_->dead, path.c_str());
  if (handles_->dumper == nullptr) {
    const std::string why = handles_->dead != nullptr ? pcap_geterr(handles_->dead) : "no memory";
    if (handles_->dead != nullptr) pcap_close(handles_->dead);
    delete handles_;
    throw std::runtime_error("cannot write capture " + path + ": " + why);
  }
}

PcapWriter::~PcapWriter() {
  pcap_dump_close(handles_->dumper);
  pcap_close(handles_->dead);
  delete handles_;
}

void PcapWriter::write(uint64_t timestamp_ns, std::span<const uint8_t> frame) {
  pcap_pkthdr hdr{};
  hdr.ts.tv_sec = static_cast<time_t>(timestamp_ns / 1'000'000'000);
  hdr.ts.tv_usec = static_cast<suseconds_t>(timestamp_ns % 1'000'000'000 / 1000);
  hdr.caplen = hdr.len = static_cast<bpf_u_int32>(frame.size());
  pcap_dump(reinterpret_cast<u_char*>(handles_->dumper), &hdr, frame.data());
}

void write_pcap(const std::string& path, const PcapFile& capture) {
  PcapWriter out(path, capture.link);
  for (const auto& f : capture.frames) out.write(f.timestamp_ns, f.bytes);
}

std::string shared_pcap(const std::string& name) {
  return std::string(RV_SOURCE_DIR) + "/tests/data/pcaps/" + name;
}

std::string test_data(const std::string& name) {
  return std::string(RV_SOURCE_DIR) + "/tests/data/" + name;
}

}  // namespace rv::test
