#pragma once
// Events the signaling plane emits (DESIGN.md §3, §5): SDP-learned media endpoints for the media
// planes (High, 128 bytes: copied into ring slots), call setup/teardown (Critical) and mid-call
// changes (High) carrying the whole call record, registrations and parsed-message summaries
// (larger than a slot: they travel zero-copy, in per-type pools). All trivially copyable.
//
// Delivery: SignalingEventSink, set once at start-up. Its methods are called on the owning lcore
// from inside SignalingPlane::on_payload()/expire(); they must be noexcept, must not block and
// must not call back into the plane. The event reference is valid only during the call.

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet.hpp"
#include "planes/signaling/call_record.hpp"
#include "planes/signaling/call_state.hpp"
#include "planes/signaling/sip_method.hpp"

namespace rv::planes::signaling {

// Mirrors the fabric's priority classes; the sink maps it to rv::events priorities.
enum class EventPriority : uint8_t { kCritical, kHigh, kNormal, kLow };

enum class CallEventKind : uint8_t {
  kStarted,        // initial INVITE seen (Critical)
  kRinging,        // first 18x (Critical: part of setup)
  kAnswered,       // 2xx to the initial INVITE (Critical)
  kEnded,          // final state reached: failed/cancelled/timed out/BYE (Critical)
  kReinvite,       // re-INVITE or UPDATE inside the dialog (High)
  kMediaChanged,   // SDP changed the call's media (High)
  kRetired,        // the record left the call table: its final state (Critical)
  kFlushed,        // end of run / shutdown: the call was still in the table (Critical)
};

// Whether `k` is the last event of a call instance (its record is final).
constexpr bool is_final(CallEventKind k) noexcept {
  return k == CallEventKind::kRetired || k == CallEventKind::kFlushed;
}

struct CallEvent {
  uint64_t call_id_hash = 0;  // hash_call_id(Call-ID): the session key for steering
  uint64_t timestamp_ns = 0;  // capture/arrival time of the message (or expiry time)
  uint64_t setup_ns = 0;      // INVITE -> 2xx, 0 when not answered
  uint64_t pdd_ns = 0;        // INVITE -> first 18x, 0 when none
  uint64_t duration_ns = 0;   // 2xx -> BYE (kEnded of an answered call)
  CallEventKind kind = CallEventKind::kStarted;
  CallState state = CallState::kInitiating;
  CallResult result = CallResult::kInProgress;
  EventPriority priority = EventPriority::kCritical;
  uint16_t final_code = 0;
  uint8_t ended_by = 0;       // CallEndReason when kind == kEnded
  CallRecord record;          // the call as the plane knows it after this event
};

// One media stream learned from SDP: RTP from the media plane's point of view is expected at
// addr:port (the address the SDP's author receives on).
struct MediaEndpointEvent {
  static constexpr std::size_t kMaxPayloadTypes = 12;
  static constexpr std::size_t kMaxRtpMaps = 4;
  struct RtpMap {
    uint32_t clock_rate = 0;
    uint8_t payload_type = 0;
    uint8_t channels = 1;
    std::array<char, 10> codec{};  // NUL-padded, truncated
  };

  uint64_t call_id_hash = 0;
  uint64_t timestamp_ns = 0;
  dataplane::IpAddress addr;
  uint16_t port = 0;
  uint8_t media_kind = 0;      // SdpMediaKind
  uint8_t direction = 0;       // SdpDirection
  uint8_t from_offer = 0;      // 1: SDP offer (INVITE side), 0: answer
  uint8_t from_caller = 0;     // 1: the SDP came from the caller (request direction)
  uint8_t payload_type_count = 0;
  uint8_t rtpmap_count = 0;
  std::array<uint8_t, kMaxPayloadTypes> payload_types{};
  std::array<RtpMap, kMaxRtpMaps> rtpmaps{};
  EventPriority priority = EventPriority::kHigh;
};

// A REGISTER request or a response to one (binding changes, failed registrations).
struct RegistrationEvent {
  uint64_t call_id_hash = 0;
  uint64_t timestamp_ns = 0;
  dataplane::FlowKey flow;     // as captured (request: UA -> registrar)
  uint32_t expires = 0;        // Expires header (or contact expires), 0 when absent
  uint32_t cseq = 0;
  uint16_t status_code = 0;    // 0 for the request
  uint8_t is_request = 0;
  FixedString<64> aor;         // To URI: the address of record
  FixedString<64> contact;     // first Contact value
};

// A parsed SIP message in brief: everything the call tracker reads (SipSummary), so that a
// remote signaling plane (an analyzer fed by probes over NATS) tracks calls from it exactly as
// the local one does from the packet; the operator outputs index them. Strings are truncated
// copies (a Call-ID keeps 255 bytes); the body is kept only when it is SDP.
struct SipMessageEvent {
  static constexpr std::size_t kMaxMedia = 4;
  static constexpr std::size_t kMaxBody = 2048;
  uint64_t call_id_hash = 0;
  uint64_t timestamp_ns = 0;   // capture/arrival time
  dataplane::FlowKey flow;
  uint32_t cseq = 0;
  uint32_t length = 0;         // bytes of the message
  uint16_t status_code = 0;    // 0 for requests
  SipMethod method = SipMethod::kOther;       // requests
  SipMethod cseq_method = SipMethod::kOther;
  uint8_t is_request = 0;
  uint8_t retransmission = 0;
  uint8_t media_count = 0;
  uint8_t body_truncated = 0;  // the SDP body was longer than kMaxBody
  uint16_t body_len = 0;
  FixedString<256> call_id;
  FixedString<33> from_tag;
  FixedString<33> to_tag;
  FixedString<49> branch;
  FixedString<24> method_name;
  FixedString<24> cseq_method_name;
  FixedString<64> from_uri;
  FixedString<64> to_uri;
  FixedString<64> contact;
  FixedString<16> expires;
  FixedString<48> content_type;
  std::array<CallMedia, kMaxMedia> media{};  // SDP endpoints and first codec of each m= line
  std::array<char, kMaxBody> body{};         // SDP body (body_len bytes)

  std::string_view body_view() const noexcept { return {body.data(), body_len}; }
};

static_assert(std::is_trivially_copyable_v<CallEvent>);
static_assert(std::is_trivially_copyable_v<MediaEndpointEvent>);
static_assert(std::is_trivially_copyable_v<RegistrationEvent>);
static_assert(std::is_trivially_copyable_v<SipMessageEvent>);
static_assert(sizeof(MediaEndpointEvent) <= 128);

struct SipMessage;

class SignalingEventSink {
 public:
  virtual ~SignalingEventSink() = default;
  virtual void on_call_event(const CallEvent& e) noexcept = 0;
  virtual void on_media_endpoint(const MediaEndpointEvent& e) noexcept = 0;
  virtual void on_registration(const RegistrationEvent& e) noexcept { (void)e; }
  // Every parsed message, after the tracker saw it. wants_sip_messages() false skips the call.
  virtual bool wants_sip_messages() const noexcept { return false; }
  virtual void on_sip_message(const SipMessage& m, const dataplane::FlowKey& flow, bool retransmission,
                              uint64_t ts) noexcept {
    (void)m, (void)flow, (void)retransmission, (void)ts;
  }
};

// Drops everything (default when no sink is set).
class NullSignalingSink final : public SignalingEventSink {
 public:
  void on_call_event(const CallEvent&) noexcept override {}
  void on_media_endpoint(const MediaEndpointEvent&) noexcept override {}
};

}  // namespace rv::planes::signaling
