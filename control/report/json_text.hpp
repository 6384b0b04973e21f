#pragma once
// Text for JSON: captured strings (Call-IDs, URIs) are bytes, not UTF-8. Invalid sequences
// become U+FFFD so that one odd byte never costs the report. Control-plane only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/rapidjson.h>

namespace rv::control {

// `s` unchanged when it is valid UTF-8, else a copy with each invalid byte replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

// Key/value helpers for any RapidJSON writer (the report's PrettyWriter, the CDR's Writer).
namespace json {
template <class W>
void str(W& w, std::string_view s) {
  const std::string v = valid_utf8(s);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
template <class W>
void key(W& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
template <class W>
void kv_s(W& w, std::string_view k, std::string_view v) { key(w, k); str(w, v); }
template <class W>
void kv_u(W& w, std::string_view k, uint64_t v) { key(w, k); w.Uint64(v); }
template <class W>
void kv_i(W& w, std::string_view k, int64_t v) { key(w, k); w.Int64(v); }
template <class W>
void kv_d(W& w, std::string_view k, double v) { key(w, k); w.Double(v); }
// A number, or null when absent.
template <class W>
void kv_opt(W& w, std::string_view k, std::optional<double> v) {
  key(w, k);
  if (v) {
    w.Double(*v);
  } else {
    w.Null();
  }
}
}  // namespace json

}  // namespace rv::control
