// libFuzzer harness: the federation wire format (planes/remote/wire_format.hpp) as an analyzer
// receives it from NATS: unseal() of an envelope, then every event back to a plane event
// (from_wire), as AnalyzerConsumer::dispatch does.
// Input: [mode] then bytes. Mode 0: the bytes are the whole message (envelope included); mode 1:
// they are the serialized Batch, wrapped in a raw envelope; mode 2: the same, zstd-compressed
// (a valid frame around arbitrary content), so protobuf parsing is reached without the fuzzer
// having to find the envelope or a zstd frame first.
// Oracles, for every batch that unseals: seal() of it unseals again to the same batch, raw and
// compressed; and from_wire/to_wire of each event is stable after one trip (the plane events
// hold truncated copies, so the first trip may lose bytes, the second must not).

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "byte_reader.hpp"
#include "fuzz_flows.hpp"
#include "planes/remote/wire_format.hpp"

namespace {

using namespace rv::planes;
using namespace rv::planes::remote;

std::span<const uint8_t> bytes_of(const std::string& s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// `body` in an envelope: raw, or as one zstd frame (which records its content size, as seal()'s
// does).
std::string envelope(std::span<const uint8_t> body, Compression c) {
  std::string out = {'R', 'V', 'W', static_cast<char>('0' + kWireVersion), static_cast<char>(c)};
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((body.size() >> (8 * i)) & 0xff));
  if (c == Compression::kNone) {
    out.append(reinterpret_cast<const char*>(body.data()), body.size());
    return out;
  }
  std::string frame(ZSTD_compressBound(body.size()), '\0');
  const std::size_t n = ZSTD_compress(frame.data(), frame.size(), body.data(), body.size(), 1);
  if (ZSTD_isError(n) != 0) __builtin_trap();  // a bound-sized buffer always fits
  return out + frame.substr(0, n);
}

// from_wire, then to_wire and from_wire again: the second trip must give the first one's wire
// message back byte for byte.
template <typename Event, typename Wire, typename... CallId>
void check_event_trip(const Wire& w, const CallId&... call_id) {
  Event e;
  from_wire(w, e);
  Wire once;
  to_wire(e, call_id..., once);
  Event again;
  from_wire(once, again);
  Wire twice;
  to_wire(again, call_id..., twice);
  if (once.SerializeAsString() != twice.SerializeAsString()) __builtin_trap();
}

void check_events(const wire::Batch& b) {
  for (const auto& ev : b.events()) {
    switch (ev.kind_case()) {
      case wire::Event::kSipMessage:
        check_event_trip<signaling::SipMessageEvent>(ev.sip_message());
        break;
      case wire::Event::kRegistration:
        check_event_trip<signaling::RegistrationEvent>(ev.registration());
        break;
      case wire::Event::kStreamStarted:
        check_event_trip<media::StreamStarted>(ev.stream_started());
        break;
      case wire::Event::kStreamInterval:
        check_event_trip<media::StreamInterval>(ev.stream_interval());
        break;
      case wire::Event::kStreamEnded:
        check_event_trip<media::StreamEnded>(ev.stream_ended());
        break;
      case wire::Event::kMediaEndpoint: {
        const std::string_view call_id = ev.media_endpoint().call_id();
        check_event_trip<signaling::MediaEndpointEvent>(ev.media_endpoint(), call_id);
        break;
      }
      default:
        break;  // health: read field by field by the consumer, no plane event
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  rv::fuzz::ByteReader in({data, size});
  const uint8_t mode = in.u8() % 3;
  const auto rest = rv::fuzz::exact_copy(in.rest());
  const auto msg = mode == 0 ? rest
                             : rv::fuzz::exact_copy(bytes_of(envelope(
                                   rest, mode == 1 ? Compression::kNone : Compression::kZstd)));
  // Reused across messages, as the consumer's scratch batch is.
  static wire::Batch batch;
  if (!unseal(msg, batch)) return 0;
  check_events(batch);
  const std::string canonical = batch.SerializeAsString();
  for (const Compression c : {Compression::kNone, Compression::kZstd}) {
    wire::Batch again;
    const auto sealed = rv::fuzz::exact_copy(bytes_of(seal(batch, c)));
    if (!unseal(sealed, again) || again.SerializeAsString() != canonical) __builtin_trap();
  }
  return 0;
}
