#pragma once
/// `tcphs probe TARGET...`: SYN probes, their outcomes and a summary.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/common_options.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct ProbeOptions {
  CommonOptions common;
  std::vector<std::string> targets;
  int count = 1;
  std::string interval = "1s";
  std::string rto = "1s";
  int retries = 2;
  std::optional<std::string> total_timeout;
  std::string expect = "open";
  bool all_addresses = false;
  std::optional<int> mss;
  std::optional<int> wscale;
  std::optional<int> window;
  bool no_sack = false;
  bool no_timestamps = false;
  bool no_options = false;
  bool ecn = false;
  bool tfo = false;
};

/// Registers `probe` on `app`; CLI11 only fills `opts`.
CLI::App* add_probe_command(CLI::App& app, ProbeOptions& opts);

/// Runs the probes and returns the exit code (SPEC §2), or an Error.
core::Result<int> run_probe(const ProbeOptions& opts);

}  // namespace tcphs::app
