#pragma once
/// Did something on the path change our SYN? A router that drops a probe
/// for its TTL quotes the datagram as it arrived (RFC 792; RFC 1812
/// §4.3.2.3 and RFC 4443 §2.4(c) ask for as much as fits, and Linux quotes
/// the whole SYN), so comparing a quote with what we sent shows what was
/// rewritten before that hop: MSS clamping, stripped options, cleared ECN.

#include <cstdint>
#include <string>
#include <vector>

#include "tcphs/core/packet.hpp"

namespace tcphs::core {

/// The SYN as we crafted it. Its sequence number and TSval vary per probe
/// and are not compared.
struct SentSyn {
  Family family = Family::ipv4;
  TcpHeader tcp;
  std::uint8_t tos = 0;          ///< TOS / traffic class
  std::uint32_t flow_label = 0;  ///< IPv6
};

struct QuoteComparison {
  /// The quote held the whole TCP header, so flags, window and options were
  /// compared. A quote of only the first 8 TCP bytes (all RFC 792 asks for)
  /// still shows changes to the IP header.
  bool tcp_compared = false;
  /// IP header: "dscp A->B", "ecn A->B" (the codepoint, RFC 3168 §5),
  /// "flow label 0xA->0xB" (IPv6).
  std::vector<std::string> ip_changes;
  /// TCP header, in this order: "ece cleared", "cwr cleared", "ae cleared"
  /// (or "... set"); "window A->B"; "mss A->B", "mss stripped",
  /// "mss B added", the same for "wscale"; "sack_permitted stripped|added",
  /// "timestamps stripped|added", "tfo stripped|added", "option K
  /// stripped|added" for other kinds; "options malformed" when the quoted
  /// area no longer parses.
  std::vector<std::string> tcp_changes;

  /// Every change, IP first.
  std::vector<std::string> changes() const;
};

/// Compares `quote` (from an ICMP error about our SYN) with `sent`.
QuoteComparison compare_quote(const SentSyn& sent, const IcmpQuote& quote);

}  // namespace tcphs::core
