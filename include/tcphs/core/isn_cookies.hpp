#pragma once
/// Telling SYN cookies (RFC 4987 §3.6) from ordinary half-open state, from
/// the outside. A cookie server keeps no state: everything it needs later is
/// in the SYN-ACK, and that shows. The checks follow Linux
/// (net/ipv4/syncookies.c):
///
///  - ISN = H1(4-tuple) + our ISN + (count << 24) + ((H2(4-tuple, count) +
///    MSS index) mod 2^24), count advancing once a minute (TCP_SYNCOOKIE_PERIOD
///    is 60 * HZ). On one 4-tuple, ISN - our ISN therefore repeats within a
///    minute and moves by less than 2^25 when count steps; an ordinary SYN-ACK
///    has an ISN that no longer depends on ours. A cookie that ignores our ISN
///    (Bernstein's) repeats the ISN itself; that counts too.
///  - With timestamps, the SYN's options go into the low 6 bits of the
///    TSval (cookie_init_timestamp: bits 0-3 window scale, 0xf for none; bit 4
///    SACK; bit 5 ECN), the rest of the clock rounded down to 64 ms. The wire
///    TSval adds the connection's offset, so on one 4-tuple TSval mod 64 stays
///    fixed while the clock moves on; with a zero offset it equals what our
///    SYN offered.
///  - Without timestamps there is nowhere to keep window scale and SACK, so
///    the SYN-ACK drops both although our SYN offered them.
///
/// Limits: other systems encode cookies differently (FreeBSD keeps window
/// scale and SACK in the ISN and hashes our ISN in), so a cookie can go
/// unseen; a stack without window scale or SACK looks like a cookie without
/// timestamps (hence only `possible`); the checks need a reused 4-tuple; and
/// a server that sends cookies only to some SYNs (net.ipv4.tcp_syncookies=1
/// under a flood) may show them on too few samples.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tcphs/core/isn_sample.hpp"

namespace tcphs::core {

enum class CookieVerdict : std::uint8_t { unknown, not_detected, possible, detected };
std::string_view cookie_verdict_word(CookieVerdict v);  ///< "unknown", "not_detected", "possible", "detected"

enum class CheckResult : std::uint8_t {
  not_checked,   ///< too few samples, or nothing to look at
  no,            ///< ordinary behaviour
  yes,           ///< what a cookie does
  inconclusive,  ///< (TSval) the samples could not tell the two apart
};
std::string_view check_result_word(CheckResult r);  ///< "n/a", "no", "yes", "inconclusive"

struct CookieAnalysis {
  CookieVerdict verdict = CookieVerdict::unknown;

  CheckResult isn_follows_syn = CheckResult::not_checked;
  std::size_t isn_pairs = 0;    ///< consecutive SYN-ACKs on the reused 4-tuple
  std::size_t isn_repeats = 0;  ///< ... whose ISN - our ISN (or ISN) repeated
  std::size_t isn_counter_steps = 0;  ///< ... that moved it by under 2^25 (count stepped)

  CheckResult tsval_low_bits = CheckResult::not_checked;
  std::size_t tsval_samples = 0;        ///< TSvals on the reused 4-tuple
  std::optional<std::uint8_t> low_bits;  ///< their common TSval mod 64, when they had one
  std::uint8_t offered_bits = 0;         ///< what Linux encodes for our SYN's options
  bool low_bits_match_offer = false;     ///< low_bits is offered_bits (ECN bit aside): a zero offset

  CheckResult options_stripped = CheckResult::not_checked;
  std::size_t stripped = 0;   ///< SYN-ACKs without timestamps, window scale and SACK
  std::size_t stripped_of = 0;  ///< SYN-ACKs in all
};

/// Runs the three checks on `samples` (in receive order). `offer` is what
/// our SYNs carried; `ts_hz` the server's timestamp rate when known (Linux
/// counts cookie TSvals in milliseconds, so 1000 Hz is assumed otherwise).
/// The verdict: `detected` when the ISN follows ours, the TSval low bits
/// hold still, or some SYN-ACKs lost the options others had; `possible`
/// when every SYN-ACK lacks timestamps, window scale and SACK and the ISN
/// check did not say no; else `not_detected`, or `unknown` with no check made.
CookieAnalysis analyse_cookies(std::span<const IsnSample> samples, const SynOffer& offer,
                               std::optional<double> ts_hz);

}  // namespace tcphs::core
