#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <string_view>

#include "tcphs/app/handshake_ladder.hpp"
#include "tcphs/core/packet.hpp"

namespace tcphs::app {
namespace {

std::string us_text(std::int64_t ns, bool unicode) {
  return fmt::format("{:.1f} {}", static_cast<double>(ns) / 1000.0, unicode ? "µs" : "us");
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

std::string num_or_none(const std::optional<std::uint16_t>& v) { return v ? std::to_string(*v) : "none"; }

bool names_utf8(const char* v) {
  if (!v) return false;
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s.find("utf-8") != std::string::npos || s.find("utf8") != std::string::npos;
}

}  // namespace

std::vector<std::string> ladder_annotations(const core::Ladder& ladder, bool unicode, bool interrupted) {
  std::vector<std::string> out;
  const auto& n = ladder.notes;
  if (ladder.rows.empty()) {
    out.push_back("no SYN from the client was captured");
    return out;
  }
  if (n.syn_count > 1) {
    std::string gaps;
    for (const auto g : n.syn_gaps_ns)
      gaps += (gaps.empty() ? "" : ", ") + fmt::format("{:.3f} s", static_cast<double>(g) / 1e9);
    out.push_back(fmt::format("SYN sent {} times: retransmitted after {}", n.syn_count, gaps));
    if (n.syn_gaps_ns.size() >= 2) {
      bool doubling = true, fixed = true;
      for (std::size_t i = 1; i < n.syn_gaps_ns.size(); ++i) {
        const double ratio = static_cast<double>(n.syn_gaps_ns[i]) / static_cast<double>(n.syn_gaps_ns[i - 1]);
        doubling = doubling && ratio > 1.7 && ratio < 2.3;
        fixed = fixed && ratio > 0.85 && ratio < 1.15;
      }
      if (doubling) out.push_back("  the retransmission timeout doubles each time (exponential backoff)");
      if (fixed) out.push_back("  a fixed timeout: Linux resends the first SYNs linearly (tcp_syn_linear_timeouts)");
    }
  }
  const std::string ack_line =
      n.answer_ack ? fmt::format("ack = ISN+1: {} (ack {} {} ISN {} + 1)", *n.ack_ok ? "passed" : "FAILED",
                                 *n.answer_ack, *n.ack_ok ? "=" : "!=", n.client_isn)
                   : std::string();
  switch (n.end) {
    case core::LadderEnd::established: {
      out.push_back(
          fmt::format("1 RTT before the client may send: {} (SYN to SYN-ACK)", us_text(*n.rtt_ns, unicode)));
      out.push_back(ack_line);
      const auto& g = n.negotiated;
      out.push_back(fmt::format("MSS: client {}, server {}; window scale: {}", num_or_none(g.client_mss),
                                num_or_none(g.server_mss),
                                g.client_wscale ? fmt::format("client {}, server {}", *g.client_wscale,
                                                              *g.server_wscale)
                                                : std::string("not in use")));
      out.push_back(fmt::format("SACK: {}; timestamps: {}; ECN: {}", yes_no(g.sack), yes_no(g.timestamps),
                                yes_no(g.ecn)));
      break;
    }
    case core::LadderEnd::reset:
      out.push_back("answer: RST: nothing listens on the port (refused)");
      out.push_back(ack_line);
      break;
    case core::LadderEnd::icmp: {
      const auto* icmp = &ladder.rows.back().seg;
      for (const auto& r : ladder.rows)
        if (r.seg.icmp) {
          icmp = &r.seg;
          break;
        }
      out.push_back(fmt::format("answer: ICMP {}/{} from {}: {}", icmp->icmp->type, icmp->icmp->code,
                                icmp->icmp->from.to_string(), core::outcome_word(n.outcome)));
      break;
    }
    case core::LadderEnd::no_reply:
      if (interrupted) {
        out.push_back(fmt::format("no answer to {} SYN{} when the run was interrupted", n.syn_count,
                                  n.syn_count == 1 ? "" : "s"));
        break;
      }
      out.push_back(fmt::format("no answer to {} SYN{}: timeout (a firewall dropping SYNs, or the host is down)",
                                n.syn_count, n.syn_count == 1 ? "" : "s"));
      break;
  }
  return out;
}

bool utf8_locale_from(const char* lc_all, const char* lc_ctype, const char* lang) {
  for (const char* v : {lc_all, lc_ctype, lang})
    if (v && *v) return names_utf8(v);
  return false;
}

std::string endpoint_text(const core::IpAddress& a, std::uint16_t port) {
  if (a.family == core::Family::ipv6) return fmt::format("[{}]:{}", a.to_string(), port);
  return fmt::format("{}:{}", a.to_string(), port);
}

std::vector<core::Segment> segments_of(std::span<const StampedBytes> frames, std::optional<core::FlowKey>& client) {
  std::vector<core::Segment> out;
  for (const auto& f : frames) {
    const auto decoded = core::decode_packet(f.ip);
    const auto* p = std::get_if<core::Packet>(&decoded);
    if (!p) continue;
    if (!client) client = core::client_of(*p);
    if (!client) continue;
    if (auto s = core::to_segment(*p, f.stamp_ns, *client)) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace tcphs::app
