#pragma once
/// What a TCP traceroute found, from its hops alone: when to stop, the
/// destination's outcome, where SYNs stop being answered, and which hop
/// rewrote the SYN.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/core/trace_hop.hpp"

namespace tcphs::core {

enum class TraceEnd : std::uint8_t {
  answered,  ///< a hop answered with something other than time exceeded
  silence,   ///< the last --max-silent hops were all silent
  max_hops,  ///< TTL --max-hops was probed
  /// SIGINT/SIGTERM stopped the trace before one of the above: what the
  /// hops so far show, and no outcome. Set by the caller; trace_end()
  /// never returns it.
  interrupted,
};

/// "answered", "silence", "max_hops", "interrupted".
std::string_view trace_end_name(TraceEnd e);

/// Whether the trace is over once `hops` (in TTL order, the newest last)
/// are known; nothing when the next TTL should be probed. An answer wins
/// over silence, and silence over the TTL limit.
std::optional<TraceEnd> trace_end(std::span<const Hop> hops, unsigned max_silent, unsigned max_ttl);

/// Changes first seen in the quote of hops[seen_at]. `after` is the last
/// earlier hop whose quote could have shown them and did not: the SYN was
/// rewritten between the two, which names hops[after] as the rewriter when
/// they are adjacent. Without `after`, the first quote already showed them.
struct RewriteFinding {
  std::size_t seen_at = 0;
  std::optional<std::size_t> after;
  std::vector<std::string> changes;
};

struct TraceAnalysis {
  TraceEnd end = TraceEnd::silence;
  /// answered: the first non-time-exceeded answer of the last hop; silence:
  /// timeout; max_hops: unreachable when the last hop still said time
  /// exceeded (SPEC §2), timeout when it was silent; interrupted: timeout,
  /// which is no outcome (reporters show none).
  Outcome outcome = Outcome::timeout;
  std::optional<std::size_t> final_hop;       ///< answered: the last hop
  bool target_answered = false;               ///< that answer came from the target's address
  /// answered with an ICMP error that rejects the SYN: anything but the
  /// target's own port unreachable (its "nothing listens", SPEC §2).
  bool rejected = false;
  /// The trace ended in silence: --max-silent silent hops in a row, or
  /// --max-hops reached on a silent hop. Either way SYNs to the port stop
  /// being answered after `last_answering`.
  bool unanswered = false;
  std::optional<std::size_t> last_answering;  ///< the last hop that answered at all
  /// Silent hops before the last answering one: routers that send no time
  /// exceeded, not where SYNs die.
  std::vector<std::size_t> silent_inside;
  std::vector<RewriteFinding> rewrites;
  std::size_t quotes = 0;          ///< hops that quoted our SYN
  std::size_t quotes_compared = 0; ///< of those, hops whose quote held the whole TCP header
};

TraceAnalysis analyze_trace(std::span<const Hop> hops, const IpAddress& target, TraceEnd end);

}  // namespace tcphs::core
