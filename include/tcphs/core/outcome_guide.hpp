#pragma once
/// The failure table explained for people (`tcphs explain`): for each
/// outcome, what tcphs saw on the wire, what usually causes it, and what to
/// look at next. One row per outcome, beside the classification table in
/// outcome.hpp; the ICMP codes and errno values listed here are the ones
/// classify_icmp and classify_connect_errno map to the row's outcome, and a
/// unit test holds the two tables together.

#include <cstdint>
#include <span>
#include <string_view>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/outcome.hpp"

namespace tcphs::core {

/// An ICMP (v4) or ICMPv6 type/code pair.
struct IcmpCode {
  Family family;
  std::uint8_t type;
  std::uint8_t code;
};

struct OutcomeGuide {
  Outcome outcome;
  std::string_view seen;                     ///< what came back, in raw mode
  std::span<const IcmpCode> icmp;            ///< ICMP errors that give this outcome (RFC-defined codes)
  std::span<const std::string_view> causes;  ///< most common first
  std::span<const std::string_view> next;    ///< what to check next, most useful first
  std::string_view connect_mode;             ///< what the kernel's connect() reports instead
  std::span<const int> connect_errnos;       ///< connect() errors that give this outcome
};

/// The row for `o`; every outcome has exactly one.
const OutcomeGuide& outcome_guide(Outcome o);

}  // namespace tcphs::core
