#pragma once
/// One hop of a TCP traceroute: the answers to the SYNs sent with one TTL.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/core/probe_result.hpp"
#include "tcphs/core/trace_rewrite.hpp"

namespace tcphs::core {

enum class HopReplyKind : std::uint8_t {
  none,           ///< no answer within the wait
  time_exceeded,  ///< a router on the path (ICMP 11, ICMPv6 3)
  tcp,            ///< SYN-ACK or RST: the target itself
  icmp,           ///< any other ICMP error: someone rejected the SYN
};

/// The answer to one query.
struct HopReply {
  HopReplyKind kind = HopReplyKind::none;
  std::optional<IpAddress> from;
  std::optional<std::int64_t> rtt_ns;
  Outcome outcome = Outcome::timeout;  ///< SPEC §2 for this answer
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint16_t tcp_flags = 0;
  /// Set when the answer quoted our SYN (an ICMP error).
  std::optional<QuoteComparison> quote;
  std::optional<TcpOptions> quoted_options;  ///< the options as quoted, when the quote held them
};

struct Hop {
  std::uint8_t ttl = 0;
  std::vector<HopReply> queries;  ///< in the order they were sent

  /// No query was answered.
  bool silent() const;
  /// Some answer is not a time exceeded: the SYN got as far as it will, so
  /// the trace ends here.
  bool final() const;
  /// Every distinct address that answered, in the order of the queries.
  std::vector<IpAddress> addresses() const;
  /// The first answer that is not a time exceeded, if any.
  const HopReply* final_reply() const;
};

/// The SYN's fate as the engine reported it, seen as a hop answer; `sent`
/// is what the quote is compared with.
HopReply hop_reply(const ProbeResult& r, const SentSyn& sent);

bool is_time_exceeded(Family family, std::uint8_t type);

/// traceroute's annotation for an ICMP error that ends a trace: "!N" net
/// (no route), "!H" host or address, "!P" protocol, "!X" administratively
/// prohibited (and ICMPv6 policy and reject-route), "!S" source route failed
/// (ICMPv6: beyond scope), "!F" fragmentation needed or packet too big,
/// "!V" host precedence, "!C" precedence cut-off, else "!<code>"; "" for
/// port unreachable (the target's own answer) and for time exceeded.
std::string icmp_marker(Family family, std::uint8_t type, std::uint8_t code);

/// Plain words with the numbers: "host unreachable (3/1)",
/// "administratively prohibited (1/1)", "time exceeded (11/0)".
std::string icmp_description(Family family, std::uint8_t type, std::uint8_t code);

}  // namespace tcphs::core
