#pragma once
/// Running a TCP traceroute through the engine, hop by hop.

#include <functional>
#include <optional>
#include <string>

#include "tcphs/app/trace_report.hpp"
#include "tcphs/core/engine.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

/// What `trace` does, as values checked by trace_command.
struct TracePlan {
  TargetInfo target;
  unsigned first_ttl = 1;
  unsigned max_ttl = 30;
  unsigned queries = 3;
  unsigned max_silent = 5;                                 ///< 0: never stop for silence
  core::Duration wait = std::chrono::seconds(1);           ///< per SYN, from its send
  core::Duration send_wait = std::chrono::milliseconds(50);  ///< between any two SYNs
  std::optional<std::uint16_t> control_port;
  core::SynSpec syn;       ///< template: flow, TTL and seq are filled per probe
  bool default_mss = true;  ///< derive MSS from the route MTU, as Linux does
  bool resolve_names = true;
  core::Duration name_wait = std::chrono::seconds(1);  ///< per hop, for its reverse names
  std::optional<std::string> source;
  std::optional<std::string> interface;
  std::optional<std::uint16_t> source_port;
  int verbose = 0;
};

/// Probes TTL first_ttl, first_ttl+1, ... with `queries` SYNs each, all on
/// one 5-tuple (Paris traceroute: per-flow load balancing sends every probe
/// the same way) and told apart by their sequence numbers, which ICMP quotes
/// carry. Each SYN gets `wait` and no retransmission. A hop is reported as
/// soon as its SYNs are settled; the trace stops at an answer that is not a
/// time exceeded, after `max_silent` silent hops, or at `max_ttl`. When SYNs
/// were dropped or rejected and `control_port` is set, `queries` SYNs with
/// TTL 64 go to that port. SIGINT or SIGTERM ends the trace early, and it
/// is reported like one that ended: the hops that were complete (a hop
/// still in progress is left out), their analysis and diagnosis, with
/// `signal` set. Errors: those of RawSession::open and the loop.
core::Result<TraceReport> run_trace_plan(const TracePlan& plan, TraceReporter& reporter,
                                         const std::function<void(const std::string&)>& notice);

}  // namespace tcphs::app
