#pragma once
/// Target and port-list syntax, checked before anything is resolved or sent.
/// Pure text rules: looking up names and services is the io layer's job.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::core {

/// One `HOST:PORT`, `[IPV6]:PORT` or `HOST:SERVICE` as typed on the command
/// line or in a check file.
struct TargetSpec {
  std::string text;       ///< as typed, for reports (SPEC §4 `target`)
  std::string host;       ///< without brackets; an IPv6 zone stays in it ("fe80::1%eth0")
  bool bracketed = false;
  std::uint16_t port = 0;  ///< 0 when given by service name
  std::string service;     ///< "" when numeric
  std::optional<IpAddress> literal;  ///< when host is a numeric address (zone removed)
  std::string zone;        ///< IPv6 zone (RFC 4007 §11) such as "eth0"; "" when none
};

/// Parses one target. Accepted forms:
///   `name:80`, `name:https`, `192.0.2.1:80`, `[2001:db8::1]:80`,
///   `[fe80::1%eth0]:22` (the zone is kept: link-local addresses need one).
/// Host names follow RFC 1123 §2.1 (labels of letters, digits and hyphens,
/// 1..63 bytes, 253 in all, an optional final dot), with `_` also allowed
/// because container DNS (Docker service names) uses it. A name whose last
/// label is all digits must be a valid dotted-quad: "127.1" or "010.0.0.1"
/// would otherwise reach the resolver as an inet_aton() shorthand.
/// A port is 1..65535 in decimal, or an RFC 6335 §5.1 service name, which
/// must start with a letter (so `8o` is a typo, not a service).
/// Errors are kind usage with one line: `invalid target 'TEXT': REASON`.
Result<TargetSpec> parse_target(std::string_view text);

/// Parses a port list such as `22,80,8000-8100`. Items are separated by
/// commas (spaces around them are ignored) and are a port, a range `A-B`,
/// or an open range in nmap's style: `-B` is 1-B, `A-` is A-65535 and `-`
/// alone is every port. The result is ascending without duplicates, so
/// `80,22,80` gives {22, 80}; the order of sending is the scanner's choice.
/// Errors are kind usage: `invalid port list 'TEXT': REASON`.
Result<std::vector<std::uint16_t>> parse_port_list(std::string_view text);

}  // namespace tcphs::core
