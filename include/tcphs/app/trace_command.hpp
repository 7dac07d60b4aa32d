#pragma once
/// `tcphs trace TARGET`: a TCP SYN traceroute that says where SYNs to a port
/// stop, whether only that port is affected, and who rewrote them.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "tcphs/app/common_options.hpp"
#include "tcphs/app/trace_run.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct TraceOptions {
  CommonOptions common;
  std::string target;
  int first_hop = 1;
  int max_hops = 30;
  int queries = 3;
  int max_silent = 5;
  std::string wait = "1s";
  std::string send_wait = "50ms";
  std::optional<int> control_port;
  bool numeric = false;
  std::optional<int> mss;
  bool ecn = false;
};

/// Registers `trace` on `app`; CLI11 only fills `opts`.
CLI::App* add_trace_command(CLI::App& app, TraceOptions& opts);

/// Checks the options against each other and turns them into a plan for
/// `target` (already resolved). Usage errors: --first-hop above --max-hops,
/// --ttl (trace sets the TTL itself), --control-port equal to the traced
/// port, a bad duration.
core::Result<TracePlan> make_trace_plan(const TraceOptions& opts, TargetInfo target);

/// Runs the trace and returns the exit code of the destination's outcome
/// (SPEC §2), 128 + the signal when interrupted, or an Error: those of
/// make_trace_plan and of resolving the target; usage for --mode connect (a
/// kernel connect() cannot see time exceeded); permission when raw sockets
/// are not allowed.
core::Result<int> run_trace(const TraceOptions& opts);

}  // namespace tcphs::app
