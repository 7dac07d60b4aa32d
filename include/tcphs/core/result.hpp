#pragma once
/// Errors as values (ccache's shape): core and io return Result<T>; only
/// main turns an Error into a message on stderr and an exit code.

#include <string>
#include <utility>
#include <variant>

namespace tcphs::core {

/// What went wrong, in the terms the exit-code table of SPEC §2 needs.
enum class ErrorKind {
  usage,       ///< bad command line or input file (exit 64)
  resolve,     ///< a host name did not resolve (exit 68)
  permission,  ///< raw sockets not permitted and no fallback (exit 77)
  no_route,        ///< the kernel has no route to a target (exit 4, as `unreachable`)
  local_firewall,  ///< a local firewall refused our SYN with EPERM (exit 3, as `filtered`)
  io,          ///< the system refused something at run time (exit 70)
  internal,    ///< a bug (exit 70)
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  ///< one line, no trailing newline, no "error:" prefix
};

/// A value or an Error. Deliberately small: std::expected is C++23.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}   // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error usage_error(std::string m) { return {ErrorKind::usage, std::move(m)}; }
inline Error io_error(std::string m) { return {ErrorKind::io, std::move(m)}; }

}  // namespace tcphs::core

/// Propagates an Error out of the enclosing function returning Result<...>.
#define TCPHS_TRY(var, expr)                        \
  auto var##_result_ = (expr);                      \
  if (!var##_result_) return var##_result_.error(); \
  auto var = std::move(var##_result_).value()
