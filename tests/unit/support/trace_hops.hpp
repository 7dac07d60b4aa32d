#pragma once
/// Test-only builders for traceroute hops, shaped like what the lab's
/// routers and server answer (addresses from tests/lab/README.md).

#include <initializer_list>
#include <string>
#include <vector>

#include "tcphs/core/trace_hop.hpp"

namespace tcphs::test {

inline const core::IpAddress kTraceClient = core::IpAddress::v4(10, 77, 1, 2);
inline const core::IpAddress kTraceR1 = core::IpAddress::v4(10, 77, 1, 1);
inline const core::IpAddress kTraceR2 = core::IpAddress::v4(10, 77, 2, 2);
inline const core::IpAddress kTraceServer = core::IpAddress::v4(10, 77, 3, 2);

inline core::HopReply silent() { return {}; }

/// A time exceeded whose quote held the whole TCP header (unless `short_quote`)
/// and showed `tcp_changes`.
inline core::HopReply time_exceeded(const core::IpAddress& from, std::int64_t rtt_ns = 50'000,
                                    std::vector<std::string> tcp_changes = {}, bool short_quote = false) {
  core::HopReply r;
  r.kind = core::HopReplyKind::time_exceeded;
  r.from = from;
  r.rtt_ns = rtt_ns;
  r.outcome = core::Outcome::unreachable;
  r.icmp_type = from.family == core::Family::ipv4 ? 11 : 3;
  r.quote = core::QuoteComparison{!short_quote, {}, std::move(tcp_changes)};
  return r;
}

inline core::HopReply tcp_answer(std::uint16_t flags, std::int64_t rtt_ns = 70'000,
                                 const core::IpAddress& from = kTraceServer) {
  core::HopReply r;
  r.kind = core::HopReplyKind::tcp;
  r.from = from;
  r.rtt_ns = rtt_ns;
  r.tcp_flags = flags;
  r.outcome = (flags & core::tcp_flag::rst) ? core::Outcome::refused : core::Outcome::open;
  return r;
}

inline core::HopReply icmp_answer(const core::IpAddress& from, std::uint8_t type, std::uint8_t code,
                                  core::Outcome outcome, std::int64_t rtt_ns = 60'000) {
  core::HopReply r;
  r.kind = core::HopReplyKind::icmp;
  r.from = from;
  r.rtt_ns = rtt_ns;
  r.icmp_type = type;
  r.icmp_code = code;
  r.outcome = outcome;
  r.quote = core::QuoteComparison{true, {}, {}};
  return r;
}

inline core::Hop hop(unsigned ttl, std::initializer_list<core::HopReply> queries) {
  return core::Hop{static_cast<std::uint8_t>(ttl), std::vector<core::HopReply>(queries)};
}

inline core::Hop silent_hop(unsigned ttl) { return hop(ttl, {silent(), silent(), silent()}); }

}  // namespace tcphs::test
