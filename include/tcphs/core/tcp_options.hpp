#pragma once
/// TCP options (RFC 9293 §3.1, RFC 7323, RFC 2018, RFC 7413) as one value.
/// Decoding never throws: a missing option is absent. A length that is 0, 1
/// or runs past the area sets `malformed` and stops the walk, keeping what
/// was decoded before it; a known kind with the wrong length for its RFC
/// sets `malformed` too, but the walk steps over it and goes on.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tcphs::core {

namespace option_kind {
inline constexpr std::uint8_t eol = 0;
inline constexpr std::uint8_t nop = 1;
inline constexpr std::uint8_t mss = 2;
inline constexpr std::uint8_t wscale = 3;
inline constexpr std::uint8_t sack_permitted = 4;
inline constexpr std::uint8_t sack = 5;
inline constexpr std::uint8_t timestamps = 8;
inline constexpr std::uint8_t tfo = 34;
}  // namespace option_kind

struct TcpTimestamps {
  std::uint32_t val = 0;
  std::uint32_t ecr = 0;
  bool operator==(const TcpTimestamps&) const = default;
};

struct RawOption {
  std::uint8_t kind = 0;
  std::vector<std::uint8_t> data;  ///< the bytes after kind and length
  bool operator==(const RawOption&) const = default;
};

struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> wscale;
  bool sack_permitted = false;
  std::optional<TcpTimestamps> timestamps;
  /// RFC 7413: present and empty = cookie request; present with bytes = cookie.
  std::optional<std::vector<std::uint8_t>> tfo_cookie;
  std::vector<RawOption> unknown;   ///< kinds we do not interpret, raw
  std::vector<std::uint8_t> kinds;  ///< every kind in wire order (NOP/EOL too)
  bool malformed = false;           ///< a length was 0/1, overran, or was wrong for its kind
  std::string malformed_reason;     ///< empty unless malformed

  bool operator==(const TcpOptions&) const = default;
};

/// Decodes the options area of a TCP header (the bytes after the fixed 20)
/// as RFC 9293 §3.1 walks it: EOL ends the list, NOP is one byte, every
/// other kind has a length byte that counts kind and length. SACK blocks
/// (kind 5) are checked and listed in `kinds` but not kept. When a kind
/// repeats, the later value wins (as in Linux's parser).
TcpOptions decode_tcp_options(std::span<const std::uint8_t> bytes);

/// Human text, one comma-separated token per entry of `kinds`, in wire order:
/// "mss N", "sack" (SACK-permitted), "sackblocks", "ts VAL/ECR", "nop", "eol",
/// "wscale N", "tfo" (cookie request) or "tfo HEX" (cookie), "opt KIND [HEX]"
/// (uninterpreted). A known kind whose value was not decoded shows as
/// "NAME ?"; a malformed area ends with ",malformed: REASON".
/// Example: "mss 1460,sack,ts 123/0,nop,wscale 7".
std::string describe_options(const TcpOptions& o);

}  // namespace tcphs::core
