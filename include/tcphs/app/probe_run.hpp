#pragma once
/// The two ways `probe` (and later commands) get their results: raw SYNs
/// through the engine, or the kernel's connect(). Both stream ProbeResults.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/reporter.hpp"
#include "tcphs/core/engine.hpp"
#include "tcphs/core/result.hpp"
#include "tcphs/io/connect_prober.hpp"

namespace tcphs::app {

/// What to send, target by target; a value built from the options.
struct ProbePlan {
  std::vector<TargetInfo> targets;
  std::uint32_t count = 1;
  core::Duration interval = std::chrono::seconds(1);
  core::EngineConfig engine;
  core::SynSpec syn;                 ///< template: flow and seq are filled per probe
  bool default_mss = true;           ///< derive MSS from the route MTU, as Linux does
  std::optional<std::string> source;
  std::optional<std::string> interface;
  std::optional<std::uint16_t> source_port;
  int verbose = 0;
};

struct ProbeSink {
  /// Before the first probe of target `index`: the SYN's options as sent.
  std::function<void(std::size_t index, const std::string& syn)> start;
  std::function<void(const core::ProbeResult&)> result;
  std::function<void(const std::string&)> notice;  ///< one line for stderr
};

/// Raw mode. Returns the signal that stopped it early, or 0.
core::Result<int> run_raw(const ProbePlan& plan, const ProbeSink& sink);

/// One connect() verdict as a ProbeResult for `target`, tagged `index` and
/// probe `number`; an errno that says nothing about the network (no verdict
/// in classify_connect_errno) is an io error. Callers handle `c.error`.
core::Result<core::ProbeResult> connect_probe_result(const io::ConnectResult& c, const TargetInfo& target,
                                                     std::size_t index, std::uint32_t number);

/// Connect mode (no privileges). Returns the signal that stopped it, or 0.
core::Result<int> run_connect(const ProbePlan& plan, const ProbeSink& sink);

}  // namespace tcphs::app
