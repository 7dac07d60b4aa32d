#include "tcphs/core/trace_diagnosis.hpp"

#include <fmt/format.h>

namespace tcphs::core {
namespace {

std::string hop_name(const Hop& h) {
  std::string addrs;
  for (const auto& a : h.addresses()) addrs += (addrs.empty() ? "" : ", ") + a.to_string();
  return addrs.empty() ? fmt::format("hop {}", h.ttl) : fmt::format("hop {} ({})", h.ttl, addrs);
}

std::string hop_list(std::span<const Hop> hops, const std::vector<std::size_t>& which) {
  std::string s = which.size() == 1 ? "hop " : "hops ";
  for (std::size_t i = 0; i < which.size(); ++i) {
    if (i > 0) s += i + 1 == which.size() ? " and " : ", ";
    s += std::to_string(hops[which[i]].ttl);
  }
  return s;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

/// "SYN-ACK", "RST" or "ICMP port unreachable (3/3)".
std::string evidence(const HopReply& r) {
  if (r.kind == HopReplyKind::tcp) return (r.tcp_flags & tcp_flag::syn) ? "SYN-ACK" : "RST";
  const Family f = r.from ? r.from->family : Family::ipv4;
  return fmt::format("{} {}", f == Family::ipv4 ? "ICMP" : "ICMPv6", icmp_description(f, r.icmp_type, r.icmp_code));
}

/// "hop 3" or "hops 3 to 5".
std::string hop_range(unsigned from, unsigned to) {
  return from == to ? fmt::format("hop {}", from) : fmt::format("hops {} to {}", from, to);
}

/// How far SYNs got before the signal. The hops so far never end in a
/// final answer (that ends the trace), so only time exceeded and silence.
std::string interrupted_sentence(const TraceFacts& f, std::span<const Hop> hops, const TraceAnalysis& a) {
  if (hops.empty()) return fmt::format("interrupted before hop {} was complete: nothing to diagnose yet", f.first_ttl);
  const unsigned last = hops.back().ttl;
  const std::string head = fmt::format("interrupted after hop {}", last);
  if (!a.last_answering)
    return fmt::format("{}: no answer to SYNs to port {} from {} yet, nor from the target", head, f.port,
                       hop_range(f.first_ttl, last));
  const Hop& answered = hops[*a.last_answering];
  if (answered.ttl == last)
    return fmt::format("{}: SYNs to port {} got as far as {}; the target was not reached yet", head, f.port,
                       hop_name(answered));
  return fmt::format("{}: SYNs to port {} got as far as {}; no answer from {} yet, nor from the target", head, f.port,
                     hop_name(answered), hop_range(answered.ttl + 1U, last));
}

std::string end_sentence(const TraceFacts& f, std::span<const Hop> hops, const TraceAnalysis& a) {
  if (a.end == TraceEnd::interrupted) return interrupted_sentence(f, hops, a);
  if (a.final_hop) {
    const Hop& h = hops[*a.final_hop];
    const HopReply& r = *h.final_reply();
    if (a.rejected) {
      if (a.target_answered)
        return fmt::format("the target {} (hop {}) rejected SYNs to port {} with {}: {}", f.target.to_string(), h.ttl,
                           f.port, evidence(r),
                           a.outcome == Outcome::filtered ? "a firewall on the target rejects them"
                                                          : "the target itself turns them away");
      return fmt::format("{} rejected SYNs to port {} with {}: {}; the target was not reached", hop_name(h), f.port,
                         evidence(r),
                         a.outcome == Outcome::filtered ? "a firewall there rejects them" : "it cannot deliver them");
    }
    // Reaching the target at the first TTL probed says little about the
    // hops below it.
    const bool exact = *a.final_hop > 0 || h.ttl == 1;
    return fmt::format("reached {} {} {} hop{}: port {} {}, with {}", f.target.to_string(), exact ? "in" : "within",
                       h.ttl, h.ttl == 1 ? "" : "s", f.port, outcome_word(a.outcome), evidence(r));
  }
  if (!a.unanswered)
    return fmt::format("{} was not reached with TTL {} to {}: the path is longer than --max-hops {}, or it loops",
                       f.target.to_string(), f.first_ttl, f.max_ttl, f.max_ttl);
  // Silent up to --max-hops: a target beyond it would look the same.
  const std::string unless =
      a.end == TraceEnd::max_hops ? fmt::format(", unless it lies beyond --max-hops {}", f.max_ttl) : "";
  if (a.last_answering) {
    const unsigned from = hops[*a.last_answering].ttl + 1U;
    return fmt::format("SYNs to port {} are dropped at or after {}: no answer from hop {} {}, nor from the target{}",
                       f.port, hop_name(hops[*a.last_answering]), from,
                       a.end == TraceEnd::max_hops ? fmt::format("to hop {}", hops.back().ttl) : std::string("on"),
                       unless);
  }
  return fmt::format("no hop answered and neither did the target{}: SYNs to port {} die before hop {}, or no hop "
                     "sends ICMP time exceeded",
                     unless, f.port, f.first_ttl);
}

std::string control_sentence(const TraceFacts& f, const ControlResult& c, const std::string& beyond) {
  const HopReply& r = c.reply;
  if (r.kind == HopReplyKind::tcp || ((r.kind == HopReplyKind::icmp) && r.from == f.target))
    return fmt::format(
        "SYNs to control port {} reach the target, which answers {}: {} is {}, so only port {} is affected", c.port,
        evidence(r), c.port, outcome_word(r.outcome), f.port);
  if (r.kind == HopReplyKind::icmp && r.from)
    return fmt::format("SYNs to control port {} are rejected too, by {} with {}: not only port {} is blocked", c.port,
                       r.from->to_string(), evidence(r), f.port);
  if (r.kind == HopReplyKind::time_exceeded)
    return fmt::format("SYNs to control port {} do not reach the target either (time exceeded from {})", c.port,
                       r.from ? r.from->to_string() : "?");
  return fmt::format("SYNs to control port {} get no answer either: {} drops every SYN, not only port {}", c.port,
                     beyond, f.port);
}

std::string rewrite_sentence(std::span<const Hop> hops, const RewriteFinding& w) {
  const Hop& seen = hops[w.seen_at];
  if (!w.after)
    return fmt::format("the SYN was already rewritten when {} quoted it: {} (by that hop on the way in, or before it)",
                       hop_name(seen), join(w.changes));
  const Hop& before = hops[*w.after];
  if (before.ttl + 1 == seen.ttl)
    return fmt::format("{} rewrote the SYN as it passed it on: {} (hop {} quoted it as sent, hop {} quoted it changed)",
                       hop_name(before), join(w.changes), before.ttl, seen.ttl);
  return fmt::format("the SYN was rewritten between {} and {}: {}", hop_name(before), hop_name(seen), join(w.changes));
}

}  // namespace

std::vector<std::string> diagnose(const TraceFacts& f, std::span<const Hop> hops, const TraceAnalysis& a,
                                  const std::optional<ControlResult>& control) {
  std::vector<std::string> out;
  out.push_back(end_sentence(f, hops, a));

  const bool blocked = a.unanswered || a.rejected;
  if (blocked) {
    const std::string beyond = a.unanswered && a.last_answering
                                   ? fmt::format("the path beyond hop {}, or the target,", hops[*a.last_answering].ttl)
                                   : std::string("the path, or the target,");
    if (control) out.push_back(control_sentence(f, *control, beyond));
    else if (f.control_port)
      out.push_back(fmt::format("interrupted before SYNs to control port {} were answered: whether only port {} is "
                                "affected is not known",
                                *f.control_port, f.port));
    else
      out.push_back(fmt::format("to tell a filter on port {} from a broken path, run again with --control-port PORT "
                                "(a port the target serves)",
                                f.port));
  }
  if (!a.silent_inside.empty())
    out.push_back(fmt::format("{} sent no ICMP time exceeded; later hops answered, so SYNs do not die there",
                              hop_list(hops, a.silent_inside)));
  for (const auto& w : a.rewrites) out.push_back(rewrite_sentence(hops, w));
  if (a.rewrites.empty() && a.quotes_compared > 0 && a.quotes_compared == a.quotes)
    out.push_back(fmt::format("no rewriting seen: every hop that quoted the SYN ({}) quoted it as sent", a.quotes));
  else if (a.rewrites.empty() && a.quotes_compared > 0)
    out.push_back(fmt::format("no rewriting seen: {} of the {} hops that quoted the SYN quoted its whole TCP header, "
                              "as sent",
                              a.quotes_compared, a.quotes));
  else if (a.quotes > 0 && a.quotes_compared == 0)
    out.push_back("no hop quoted the whole TCP header, so rewritten options could not be checked");
  return out;
}

}  // namespace tcphs::core
