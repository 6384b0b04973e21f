#pragma once
// rv::Error and rv::Result<T>: the project-wide error type (DESIGN.md §2, STYLE.md 11).
// Control code returns Result<T>; each layer an error crosses adds context with
// with_context(). Hot-path code never constructs an Error (it allocates).

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rv {

enum class ErrorCode {
  kInvalidArgument,  // a caller passed something out of contract
  kConfig,           // configuration rejected
  kNotFound,         // file, port, type... does not exist
  kIo,               // OS or file I/O failure
  kDpdk,             // EAL, ethdev, ring or mempool failure
  kState,            // operation not valid in the current state (e.g. after shutdown)
  kResourceExhausted,
  kTimeout,
  kInternal,
};

std::string_view to_string(ErrorCode code) noexcept;

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  // Outermost context first, as added by the layers the error crossed.
  const std::vector<std::string>& context() const noexcept { return context_; }

  // Adds the layer's view ("starting port 0"), returned for chaining.
  Error& with_context(std::string what) & {
    context_.push_back(std::move(what));
    return *this;
  }
  Error&& with_context(std::string what) && {
    context_.push_back(std::move(what));
    return std::move(*this);
  }

  // "ctx-outer: ctx-inner: message".
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<std::string> context_;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace rv
