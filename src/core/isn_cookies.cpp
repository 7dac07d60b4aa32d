#include "tcphs/core/isn_cookies.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tcphs::core {
namespace {

constexpr std::uint32_t ts_low_bits = 6;  ///< TSBITS in syncookies.c
constexpr std::uint32_t ts_low_mask = (1u << ts_low_bits) - 1;
constexpr std::uint8_t ts_opt_wscale_none = 0xf;  ///< TS_OPT_WSCALE_MASK: no window scale
constexpr std::uint8_t ts_opt_sack = 1u << 4;
constexpr std::uint8_t ts_opt_ecn = 1u << 5;
/// Two samples whose spacing is this close (in ticks) to a multiple of 64
/// could share TSval mod 64 by chance.
constexpr double ts_alias_ticks = 4;

void check_isn(std::span<const IsnSample> conn, CookieAnalysis& a) {
  for (std::size_t i = 1; i < conn.size(); ++i) {
    ++a.isn_pairs;
    const std::uint32_t before = conn[i - 1].isn - conn[i - 1].our_isn;
    const std::uint32_t after = conn[i].isn - conn[i].our_isn;
    if (before == after || conn[i - 1].isn == conn[i].isn) ++a.isn_repeats;
    else if (forward_delta(before, after) < (1u << 25)) ++a.isn_counter_steps;
  }
  if (a.isn_pairs == 0) return;
  a.isn_follows_syn = a.isn_repeats && 2 * a.isn_repeats >= a.isn_pairs ? CheckResult::yes : CheckResult::no;
}

void check_tsval(std::span<const IsnSample> conn, double hz, CookieAnalysis& a) {
  std::vector<const IsnSample*> ts;
  for (const auto& s : conn)
    if (s.tsval) ts.push_back(&s);
  a.tsval_samples = ts.size();
  if (ts.size() < 3) return;
  const std::uint32_t low = *ts.front()->tsval & ts_low_mask;
  bool same = true;
  bool telling = false;  // some spacing is far from a multiple of 64 ticks
  for (std::size_t i = 0; i < ts.size(); ++i) {
    same = same && (*ts[i]->tsval & ts_low_mask) == low;
    if (i == 0) continue;
    const double ticks = hz * static_cast<double>(ts[i]->rx_ns - ts[i - 1]->rx_ns) / 1e9;
    const double to_multiple = std::abs(ticks - 64 * std::round(ticks / 64));
    telling = telling || to_multiple > ts_alias_ticks;
  }
  if (!same) {
    a.tsval_low_bits = CheckResult::no;
    return;
  }
  a.low_bits = static_cast<std::uint8_t>(low);
  a.low_bits_match_offer = (low & ~std::uint32_t{ts_opt_ecn}) == a.offered_bits;
  a.tsval_low_bits = telling ? CheckResult::yes : CheckResult::inconclusive;
}

void check_options(std::span<const IsnSample> samples, const SynOffer& offer, CookieAnalysis& a) {
  if (!offer.wscale && !offer.sack_permitted) return;
  a.stripped_of = samples.size();
  for (const auto& s : samples)
    if (!s.tsval && !s.wscale && !s.sack_permitted) ++a.stripped;
  if (a.stripped_of == 0) return;
  a.options_stripped = a.stripped ? CheckResult::yes : CheckResult::no;
}

}  // namespace

std::string_view cookie_verdict_word(CookieVerdict v) {
  switch (v) {
    case CookieVerdict::unknown: return "unknown";
    case CookieVerdict::not_detected: return "not_detected";
    case CookieVerdict::possible: return "possible";
    case CookieVerdict::detected: return "detected";
  }
  return "unknown";
}

std::string_view check_result_word(CheckResult r) {
  switch (r) {
    case CheckResult::not_checked: return "n/a";
    case CheckResult::no: return "no";
    case CheckResult::yes: return "yes";
    case CheckResult::inconclusive: return "inconclusive";
  }
  return "n/a";
}

CookieAnalysis analyse_cookies(std::span<const IsnSample> samples, const SynOffer& offer,
                               std::optional<double> ts_hz) {
  CookieAnalysis a;
  // cookie_init_timestamp(): the window scale our SYN asked for (or 0xf),
  // SACK in bit 4; ECN (bit 5) depends on the server agreeing.
  a.offered_bits = static_cast<std::uint8_t>((offer.wscale ? std::min<std::uint8_t>(*offer.wscale, 14)
                                                           : ts_opt_wscale_none) |
                                             (offer.sack_permitted ? ts_opt_sack : 0));
  const auto conn = busiest_connection(samples);
  check_isn(conn, a);
  check_tsval(conn, ts_hz.value_or(1000.0), a);
  check_options(samples, offer, a);

  const bool some_stripped = a.stripped && a.stripped < a.stripped_of;
  const bool all_stripped = a.stripped && a.stripped == a.stripped_of;
  if (a.isn_follows_syn == CheckResult::yes || a.tsval_low_bits == CheckResult::yes || some_stripped)
    a.verdict = CookieVerdict::detected;
  else if (all_stripped && a.isn_follows_syn != CheckResult::no)
    a.verdict = CookieVerdict::possible;
  else if (a.isn_follows_syn != CheckResult::not_checked || a.tsval_low_bits != CheckResult::not_checked ||
           a.options_stripped != CheckResult::not_checked)
    a.verdict = CookieVerdict::not_detected;
  return a;
}

}  // namespace tcphs::core
