#include "tcphs/core/trace_hop.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tcphs::core {

bool Hop::silent() const {
  return std::all_of(queries.begin(), queries.end(), [](const HopReply& q) { return q.kind == HopReplyKind::none; });
}

bool Hop::final() const { return final_reply() != nullptr; }

const HopReply* Hop::final_reply() const {
  for (const auto& q : queries)
    if (q.kind == HopReplyKind::tcp || q.kind == HopReplyKind::icmp) return &q;
  return nullptr;
}

std::vector<IpAddress> Hop::addresses() const {
  std::vector<IpAddress> out;
  for (const auto& q : queries)
    if (q.from && std::find(out.begin(), out.end(), *q.from) == out.end()) out.push_back(*q.from);
  return out;
}

bool is_time_exceeded(Family family, std::uint8_t type) {
  return type == (family == Family::ipv4 ? 11 : 3);  // RFC 792; RFC 4443 §3.3
}

HopReply hop_reply(const ProbeResult& r, const SentSyn& sent) {
  HopReply h;
  h.outcome = r.outcome;
  h.rtt_ns = r.rtt_ns;
  if (r.reply) {
    h.kind = HopReplyKind::tcp;
    h.from = r.flow.remote;
    h.tcp_flags = r.reply->flags;
  } else if (r.icmp) {
    h.kind = is_time_exceeded(r.icmp->from.family, r.icmp->type) ? HopReplyKind::time_exceeded : HopReplyKind::icmp;
    h.from = r.icmp->from;
    h.icmp_type = r.icmp->type;
    h.icmp_code = r.icmp->code;
    h.quote = compare_quote(sent, r.icmp->quote);
    if (r.icmp->quote.tcp) h.quoted_options = r.icmp->quote.tcp->options;
  }
  return h;
}

std::string icmp_marker(Family family, std::uint8_t type, std::uint8_t code) {
  if (family == Family::ipv4) {
    if (type != 3) return "";
    switch (code) {
      case 0: case 6: case 8: case 11: return "!N";
      case 1: case 7: case 12: return "!H";
      case 2: return "!P";
      case 3: return "";
      case 4: return "!F";
      case 5: return "!S";
      case 9: case 10: case 13: return "!X";
      case 14: return "!V";
      case 15: return "!C";
      default: return fmt::format("!{}", code);
    }
  }
  if (type == 2) return "!F";
  if (type != 1) return "";
  switch (code) {
    case 0: return "!N";
    case 1: case 5: case 6: return "!X";
    case 2: return "!S";
    case 3: return "!H";
    case 4: return "";
    default: return fmt::format("!{}", code);
  }
}

namespace {

std::string_view v4_unreachable(std::uint8_t code) {
  static constexpr std::string_view names[] = {
      "net unreachable", "host unreachable", "protocol unreachable", "port unreachable",
      "fragmentation needed", "source route failed", "net unknown", "host unknown",
      "source host isolated", "net administratively prohibited", "host administratively prohibited",
      "net unreachable for TOS", "host unreachable for TOS", "administratively prohibited",
      "host precedence violation", "precedence cut-off"};
  return code < std::size(names) ? names[code] : "destination unreachable";
}

std::string_view v6_unreachable(std::uint8_t code) {
  static constexpr std::string_view names[] = {
      "no route", "administratively prohibited", "beyond scope of source address", "address unreachable",
      "port unreachable", "source address failed policy", "reject route"};
  return code < std::size(names) ? names[code] : "destination unreachable";
}

}  // namespace

std::string icmp_description(Family family, std::uint8_t type, std::uint8_t code) {
  std::string_view what = "ICMP error";
  if (is_time_exceeded(family, type)) what = "time exceeded";
  else if (family == Family::ipv4 && type == 3) what = v4_unreachable(code);
  else if (family == Family::ipv6 && type == 1) what = v6_unreachable(code);
  else if (family == Family::ipv6 && type == 2) what = "packet too big";
  else if (type == (family == Family::ipv4 ? 12 : 4)) what = "parameter problem";
  return fmt::format("{} ({}/{})", what, type, code);
}

}  // namespace tcphs::core
