#pragma once
/// The diagnosis of a TCP traceroute in plain words (SPEC §3 trace): how far
/// SYNs got, whether only this port is affected, who rejected them, and who
/// rewrote them.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/core/trace_analysis.hpp"

namespace tcphs::core {

/// The answer to SYNs sent with the full TTL to a second port of the target
/// (--control-port), after SYNs to the traced port went unanswered or were
/// rejected: the first query that was answered, or a silent one.
struct ControlResult {
  std::uint16_t port = 0;
  HopReply reply;
};

struct TraceFacts {
  IpAddress target;
  std::uint16_t port = 0;
  unsigned first_ttl = 1;
  unsigned max_ttl = 30;
  /// --control-port. Given, with no ControlResult for a trace that was
  /// dropped or rejected: a signal came before the control SYNs were settled.
  std::optional<std::uint16_t> control_port;
};

/// One sentence per finding, in this order: the end of the trace (reached,
/// rejected, dropped, or out of TTL), the control port's verdict or a hint
/// to use one, silent hops that are not the drop, and each rewrite of the
/// SYN with the hop that made it. Hops are named "hop N (ADDRESS)".
/// An interrupted trace (TraceEnd::interrupted) opens with "interrupted
/// after hop N: " and how far SYNs got by then, not with an end; the
/// sentences about silent hops and rewrites follow as for a whole trace.
std::vector<std::string> diagnose(const TraceFacts& facts, std::span<const Hop> hops, const TraceAnalysis& analysis,
                                  const std::optional<ControlResult>& control);

}  // namespace tcphs::core
