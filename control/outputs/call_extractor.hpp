#pragma once
// CallExtractor: `rvoipd --pcap in.pcap --extract CALL_ID... --out DIR` writes DIR/<Call-ID>.pcap
// per requested call with its SIP, RTP and RTCP frames.
//
// How frames reach the control group: they do not, during the replay. While the lcores replay,
// this consumer learns from events which frames belong to each requested call: every
// signaling.sip_message of its Call-ID (capture time + 5-tuple), the media endpoints its SDP
// announced (signaling.call records: RTP port and RTCP port + 1) and the streams the media plane
// tied to it (media.stream_*), with the call's time span. After the replay it reads the captures
// a second time with libpcap, on the control thread, and writes the frames that match. An
// offline capture can be read twice; lcores keep doing no I/O and no copy of packets, and the
// replay pays nothing for the extraction.
//
// Matching: a SIP frame matches by its capture time and conversation (the frame that completed
// the message: for SIP over TCP the segment that ended it, for a fragmented datagram the last
// fragment); an RTP/RTCP frame matches when one of its endpoints is a media endpoint of the call
// and its time is within the call's span (first INVITE to the last SIP message or stream packet).
//
// Threads: on_* on the ControlOutput task; write() on the control thread afterwards.

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "control/appliance/capture_info.hpp"
#include "control/outputs/event_consumer.hpp"
#include "events/error.hpp"

namespace rv::control {

struct ExtractedCall {
  std::string call_id;
  std::string file;  // written pcap
  uint64_t frames = 0;
  uint64_t sip_frames = 0;
};

class CallExtractor final : public EventConsumer {
 public:
  CallExtractor(std::vector<std::string> call_ids, std::string out_dir);

  bool wants_sip_messages() const noexcept override { return true; }
  void on_sip_message(const planes::signaling::SipMessageEvent& e) override;
  void on_call(const planes::signaling::CallEvent& e) override;
  void on_stream_started(const planes::media::StreamStarted& e) override;
  void on_stream_ended(const planes::media::StreamEnded& e) override;

  // Checks that the output directory exists or can be created (start-up).
  Result<void> prepare() const;
  // Second pass over `captures`: one pcap per requested call (empty when nothing matched).
  Result<std::vector<ExtractedCall>> write(const std::vector<CaptureInfo>& captures) const;

  // A file name for a Call-ID: bytes outside [A-Za-z0-9._@-] become '_'.
  static std::string file_name(std::string_view call_id);

 private:
  struct Wanted {
    std::string call_id;
    std::set<uint64_t> hashes;  // hash_call_id of the Call-ID (each instance shares it)
    std::set<std::tuple<uint64_t, std::string>> sip;  // (capture ns, conversation key)
    std::set<std::string> endpoints;                  // endpoint keys of RTP and RTCP
    uint64_t first_ns = UINT64_MAX;
    uint64_t last_ns = 0;
  };
  Wanted* by_name(std::string_view call_id);
  Wanted* by_hash(uint64_t hash);
  void add_endpoint(Wanted& w, const dataplane::IpAddress& addr, uint16_t port);
  void span(Wanted& w, uint64_t ns);

  std::vector<Wanted> wanted_;
  std::string out_dir_;
};

}  // namespace rv::control
