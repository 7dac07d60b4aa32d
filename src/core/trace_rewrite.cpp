#include "tcphs/core/trace_rewrite.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

namespace tcphs::core {
namespace {

using Changes = std::vector<std::string>;

template <typename T>
void compare_value(Changes& out, std::string_view name, const std::optional<T>& sent, const std::optional<T>& seen) {
  if (sent == seen) return;
  if (sent && seen) out.push_back(fmt::format("{} {}->{}", name, unsigned{*sent}, unsigned{*seen}));
  else if (sent) out.push_back(fmt::format("{} stripped", name));
  else out.push_back(fmt::format("{} {} added", name, unsigned{*seen}));
}

void compare_presence(Changes& out, std::string_view name, bool sent, bool seen) {
  if (sent && !seen) out.push_back(fmt::format("{} stripped", name));
  if (!sent && seen) out.push_back(fmt::format("{} added", name));
}

/// Kinds the named fields do not cover (NOP and EOL are layout, not content).
std::set<std::uint8_t> other_kinds(const TcpOptions& o) {
  static constexpr std::uint8_t named[] = {option_kind::eol, option_kind::nop, option_kind::mss,
                                           option_kind::wscale, option_kind::sack_permitted,
                                           option_kind::timestamps, option_kind::tfo};
  std::set<std::uint8_t> kinds;
  for (auto k : o.kinds)
    if (std::find(std::begin(named), std::end(named), k) == std::end(named)) kinds.insert(k);
  return kinds;
}

void compare_options(Changes& out, const TcpOptions& sent, const TcpOptions& seen) {
  compare_value(out, "mss", sent.mss, seen.mss);
  compare_value(out, "wscale", sent.wscale, seen.wscale);
  compare_presence(out, "sack_permitted", sent.sack_permitted, seen.sack_permitted);
  compare_presence(out, "timestamps", sent.timestamps.has_value(), seen.timestamps.has_value());
  compare_presence(out, "tfo", sent.tfo_cookie.has_value(), seen.tfo_cookie.has_value());
  const auto before = other_kinds(sent), after = other_kinds(seen);
  for (auto k : before)
    if (!after.count(k)) out.push_back(fmt::format("option {} stripped", k));
  for (auto k : after)
    if (!before.count(k)) out.push_back(fmt::format("option {} added", k));
  if (seen.malformed && !sent.malformed) out.push_back("options malformed");
}

void compare_flags(Changes& out, std::uint16_t sent, std::uint16_t seen) {
  static constexpr std::pair<std::uint16_t, std::string_view> bits[] = {
      {tcp_flag::ece, "ece"}, {tcp_flag::cwr, "cwr"}, {tcp_flag::ae, "ae"}};
  for (auto [bit, name] : bits) {
    if ((sent & bit) && !(seen & bit)) out.push_back(fmt::format("{} cleared", name));
    if (!(sent & bit) && (seen & bit)) out.push_back(fmt::format("{} set", name));
  }
}

}  // namespace

std::vector<std::string> QuoteComparison::changes() const {
  std::vector<std::string> all = ip_changes;
  all.insert(all.end(), tcp_changes.begin(), tcp_changes.end());
  return all;
}

QuoteComparison compare_quote(const SentSyn& sent, const IcmpQuote& quote) {
  QuoteComparison c;
  // DSCP is the upper six bits of the old TOS byte, ECN the lower two (RFC 2474, RFC 3168 §5).
  if ((sent.tos >> 2) != (quote.tos >> 2))
    c.ip_changes.push_back(fmt::format("dscp {}->{}", sent.tos >> 2, quote.tos >> 2));
  if ((sent.tos & 3) != (quote.tos & 3)) c.ip_changes.push_back(fmt::format("ecn {}->{}", sent.tos & 3, quote.tos & 3));
  if (sent.family == Family::ipv6 && sent.flow_label != quote.flow_label)
    c.ip_changes.push_back(fmt::format("flow label {:#x}->{:#x}", sent.flow_label, quote.flow_label));
  if (!quote.tcp) return c;
  c.tcp_compared = true;
  compare_flags(c.tcp_changes, sent.tcp.flags, quote.tcp->flags);
  if (sent.tcp.window != quote.tcp->window)
    c.tcp_changes.push_back(fmt::format("window {}->{}", sent.tcp.window, quote.tcp->window));
  compare_options(c.tcp_changes, sent.tcp.options, quote.tcp->options);
  return c;
}

}  // namespace tcphs::core
