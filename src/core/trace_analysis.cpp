#include "tcphs/core/trace_analysis.hpp"

#include <algorithm>
#include <set>

namespace tcphs::core {
namespace {

void add_new(std::vector<std::string>& out, const std::vector<std::string>& changes,
             const std::set<std::string>& seen) {
  for (const auto& c : changes)
    if (!seen.count(c) && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
}

/// Walks the quotes in TTL order. A change is reported once, at the first
/// hop that shows it; IP-level changes can show in any quote, TCP-level ones
/// only in quotes that hold the whole TCP header, so each kind has its own
/// "last hop that could have seen it".
std::vector<RewriteFinding> find_rewrites(std::span<const Hop> hops) {
  std::vector<RewriteFinding> out;
  std::set<std::string> seen;
  std::optional<std::size_t> last_ip, last_tcp;
  for (std::size_t i = 0; i < hops.size(); ++i) {
    std::vector<std::string> ip_new, tcp_new;
    bool quoted = false, tcp_quoted = false;
    for (const auto& q : hops[i].queries) {
      if (!q.quote) continue;
      quoted = true;
      tcp_quoted = tcp_quoted || q.quote->tcp_compared;
      add_new(ip_new, q.quote->ip_changes, seen);
      add_new(tcp_new, q.quote->tcp_changes, seen);
    }
    if (!ip_new.empty()) out.push_back({i, last_ip, ip_new});
    if (!tcp_new.empty()) {
      if (!ip_new.empty() && last_ip == last_tcp) {
        auto& merged = out.back().changes;
        merged.insert(merged.end(), tcp_new.begin(), tcp_new.end());
      } else {
        out.push_back({i, last_tcp, tcp_new});
      }
    }
    seen.insert(ip_new.begin(), ip_new.end());
    seen.insert(tcp_new.begin(), tcp_new.end());
    if (quoted) last_ip = i;
    if (tcp_quoted) last_tcp = i;
  }
  return out;
}

}  // namespace

std::string_view trace_end_name(TraceEnd e) {
  switch (e) {
    case TraceEnd::answered: return "answered";
    case TraceEnd::silence: return "silence";
    case TraceEnd::max_hops: return "max_hops";
    case TraceEnd::interrupted: return "interrupted";
  }
  return "?";
}

std::optional<TraceEnd> trace_end(std::span<const Hop> hops, unsigned max_silent, unsigned max_ttl) {
  if (hops.empty()) return std::nullopt;
  if (hops.back().final()) return TraceEnd::answered;
  unsigned silent = 0;
  for (auto it = hops.rbegin(); it != hops.rend() && it->silent(); ++it) ++silent;
  if (max_silent > 0 && silent >= max_silent) return TraceEnd::silence;
  if (hops.back().ttl >= max_ttl) return TraceEnd::max_hops;
  return std::nullopt;
}

TraceAnalysis analyze_trace(std::span<const Hop> hops, const IpAddress& target, TraceEnd end) {
  TraceAnalysis a;
  a.end = end;
  for (std::size_t i = 0; i < hops.size(); ++i)
    if (!hops[i].silent()) a.last_answering = i;
  if (a.last_answering)
    for (std::size_t i = 0; i < *a.last_answering; ++i)
      if (hops[i].silent()) a.silent_inside.push_back(i);
  for (const auto& h : hops) {
    bool quoted = false, compared = false;
    for (const auto& q : h.queries) {
      quoted = quoted || q.quote.has_value();
      compared = compared || (q.quote && q.quote->tcp_compared);
    }
    a.quotes += quoted;
    a.quotes_compared += compared;
  }
  a.rewrites = find_rewrites(hops);
  a.unanswered = end == TraceEnd::silence || (end == TraceEnd::max_hops && (hops.empty() || hops.back().silent()));

  if (end == TraceEnd::answered && !hops.empty() && hops.back().final()) {
    const HopReply* r = hops.back().final_reply();
    a.final_hop = hops.size() - 1;
    a.outcome = r->outcome;
    a.target_answered = r->from == target;
    a.rejected = r->kind == HopReplyKind::icmp && !(r->outcome == Outcome::refused && a.target_answered);
  } else if (end == TraceEnd::max_hops && !hops.empty() && !hops.back().silent()) {
    a.outcome = Outcome::unreachable;  // the TTL ran out: time exceeded (SPEC §2)
  } else {
    a.outcome = Outcome::timeout;
  }
  return a;
}

}  // namespace tcphs::core
