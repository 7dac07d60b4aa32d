#pragma once
/// SPEC §2, the failure table made executable: one table maps every outcome
/// to its word, exit code and human sentence, and every reply to an outcome.
/// Reporters, `explain` and the exit-code mapping all read this one place.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::core {

enum class Outcome : std::uint8_t { open, refused, timeout, filtered, unreachable };

inline constexpr Outcome all_outcomes[] = {Outcome::open, Outcome::refused, Outcome::timeout,
                                           Outcome::filtered, Outcome::unreachable};

struct OutcomeInfo {
  Outcome outcome;
  std::string_view word;    ///< as in JSON and --expect
  int exit_code;            ///< SPEC §2
  std::string_view human;   ///< one sentence for people
};

const OutcomeInfo& outcome_info(Outcome o);
std::string_view outcome_word(Outcome o);
std::optional<Outcome> parse_outcome(std::string_view word);
/// "open,refused" -> {open, refused}; every word must be known and no item
/// empty; a repeated word counts once.
Result<std::vector<Outcome>> parse_outcome_list(std::string_view text);

/// A TCP reply already matched to our SYN (ack = ISN+1): SYN+ACK is open,
/// RST is refused. Checks bits, not equality, so an ECN SYN-ACK (SYN|ACK|ECE)
/// is still open. Anything else (a bare ACK, say) is no verdict.
std::optional<Outcome> classify_tcp(std::uint16_t flags);

/// An ICMP/ICMPv6 error already matched to our SYN through its quote.
/// Returns no verdict for types that say nothing about reachability
/// (e.g. packet-too-big, parameter problem).
std::optional<Outcome> classify_icmp(Family family, std::uint8_t type, std::uint8_t code);

/// The exit code when a target is `open` but `open` was not expected: the
/// table's code for open is 0, which would report the failed expectation as
/// success, so it gets a code of its own.
inline constexpr int unexpected_open_exit_code = 5;

/// Connect mode: the kernel's verdict on connect() as an errno (0 = done).
/// Coarser than raw mode: RST and ICMP port-unreachable are both
/// ECONNREFUSED, and Linux reports ICMPv4 admin-prohibited as EHOSTUNREACH
/// (so it reads `unreachable`); ICMPv6 admin-prohibited is EACCES (`filtered`).
/// Errors that are not about the network (EMFILE, say) have no verdict.
std::optional<Outcome> classify_connect_errno(int err);

/// The exit code for a set of results: 0 when every outcome is in `expect`,
/// otherwise the code of the first that is not (SPEC §2), with
/// unexpected_open_exit_code standing in for an unexpected `open`.
int exit_code_for(std::span<const Outcome> outcomes, std::span<const Outcome> expect);

}  // namespace tcphs::core
