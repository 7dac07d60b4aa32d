#pragma once
/// `tcphs check FILE|-` and `tcphs check --expect OUTCOME TARGET...`:
/// connectivity assertions for CI, run concurrently, reported as a table,
/// NDJSON, JUnit XML and a Prometheus textfile.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/common_options.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct CheckOptions {
  CommonOptions common;
  std::vector<std::string> inputs;     ///< one check file (or -), or targets when --expect is given
  std::optional<std::string> expect;   ///< targets on the command line share this expectation
  int count = 1;                       ///< each default applies where a line has no key of its own
  std::string interval = "1s";
  std::string rto = "1s";
  int retries = 2;
  std::optional<std::string> timeout;
  std::optional<std::string> max_rtt;
  int parallel = 256;
  std::optional<std::string> junit;
  std::optional<std::string> openmetrics;
};

/// Registers `check` on `app`; CLI11 only fills `opts`.
CLI::App* add_check_command(CLI::App& app, CheckOptions& opts);

/// Validates every check (all bad lines go to stderr as `FILE:LINE: message`,
/// then a usage error: nothing is sent), resolves names (a name that does
/// not resolve fails its own check only), runs the checks and writes the
/// reports. Exit code: 0 when every check held, 1 when any failed, 68 when
/// no check could run because no name resolved; errors per SPEC §2.
core::Result<int> run_check(const CheckOptions& opts);

}  // namespace tcphs::app
