#include "tcphs/core/outcome.hpp"

#include <algorithm>
#include <cerrno>
#include <string>

#include "tcphs/core/packet.hpp"

namespace tcphs::core {
namespace {

constexpr OutcomeInfo kTable[] = {
    {Outcome::open, "open", 0, "the port answered SYN+ACK: something is listening"},
    {Outcome::refused, "refused", 1,
     "the host answered with a reset or ICMP port unreachable: nothing listens there"},
    {Outcome::timeout, "timeout", 2,
     "no reply: a firewall silently dropping SYNs, or the host is down"},
    {Outcome::filtered, "filtered", 3, "a firewall rejected the SYN"},
    {Outcome::unreachable, "unreachable", 4,
     "a router reported the destination unreachable or the TTL exceeded"},
};

}  // namespace

const OutcomeInfo& outcome_info(Outcome o) { return kTable[static_cast<int>(o)]; }
std::string_view outcome_word(Outcome o) { return outcome_info(o).word; }

std::optional<Outcome> parse_outcome(std::string_view word) {
  for (const auto& row : kTable)
    if (row.word == word) return row.outcome;
  return std::nullopt;
}

Result<std::vector<Outcome>> parse_outcome_list(std::string_view text) {
  std::vector<Outcome> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view word = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (word.empty()) return usage_error("empty item in outcome list '" + std::string(text) + "'");
    auto o = parse_outcome(word);
    if (!o)
      return usage_error("unknown outcome '" + std::string(word) +
                         "' (expected open, refused, timeout, filtered or unreachable)");
    if (std::find(out.begin(), out.end(), *o) == out.end()) out.push_back(*o);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<Outcome> classify_tcp(std::uint16_t flags) {
  if (flags & tcp_flag::rst) return Outcome::refused;
  if ((flags & tcp_flag::syn) && (flags & tcp_flag::ack)) return Outcome::open;
  return std::nullopt;
}

std::optional<Outcome> classify_icmp(Family family, std::uint8_t type, std::uint8_t code) {
  if (family == Family::ipv4) {
    if (type == 11) return Outcome::unreachable;  // time exceeded (RFC 792)
    if (type != 3) return std::nullopt;           // destination unreachable only
    switch (code) {
      case 3: return Outcome::refused;                      // port unreachable
      case 9: case 10: case 13: return Outcome::filtered;   // administratively prohibited (RFC 1812)
      case 0: case 1: case 2: case 4: case 5: case 6: case 7: case 8: case 11: case 12:
        return Outcome::unreachable;
      default: return Outcome::unreachable;  // codes 14, 15 and future ones: still unreachable
    }
  }
  if (type == 3) return Outcome::unreachable;  // ICMPv6 time exceeded (RFC 4443 §3.3)
  if (type != 1) return std::nullopt;
  switch (code) {
    case 4: return Outcome::refused;                    // port unreachable
    case 1: case 5: case 6: return Outcome::filtered;   // prohibited, failed policy, reject route
    default: return Outcome::unreachable;               // 0 no route, 2 beyond scope, 3 address, others
  }
}

std::optional<Outcome> classify_connect_errno(int err) {
  switch (err) {
    case 0: return Outcome::open;
    case ECONNREFUSED: return Outcome::refused;
    case ETIMEDOUT: return Outcome::timeout;
    case EACCES: case EPERM: return Outcome::filtered;
    case EHOSTUNREACH: case ENETUNREACH: case EHOSTDOWN: case ENETDOWN: case ENONET:
      return Outcome::unreachable;
    default: return std::nullopt;
  }
}

int exit_code_for(std::span<const Outcome> outcomes, std::span<const Outcome> expect) {
  for (Outcome o : outcomes)
    if (std::find(expect.begin(), expect.end(), o) == expect.end())
      return o == Outcome::open ? unexpected_open_exit_code : outcome_info(o).exit_code;
  return 0;
}

}  // namespace tcphs::core
