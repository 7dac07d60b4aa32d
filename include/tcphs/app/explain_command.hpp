#pragma once
/// `tcphs explain [OUTCOME]`: the failure table in the terminal, from
/// core/outcome.hpp and core/outcome_guide.hpp.

#include <CLI/CLI.hpp>
#include <string>

#include "tcphs/app/common_options.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::app {

struct ExplainOptions {
  std::string outcomes;  ///< empty: every outcome; else a list as for --expect
  ColorMode color = ColorMode::auto_;
};

/// Registers `explain` on `app`; CLI11 only fills `opts`.
CLI::App* add_explain_command(CLI::App& app, ExplainOptions& opts);

/// The text `explain` prints, lines at most 80 columns wide (a word longer
/// than that stays whole). With no outcome: the table, every outcome in
/// detail and the exit codes; with some: only their detail. An unknown word
/// is a usage error.
core::Result<std::string> render_explain(const std::string& outcomes, bool color);

/// Prints render_explain to stdout; returns 0 or the usage error.
core::Result<int> run_explain(const ExplainOptions& opts);

}  // namespace tcphs::app
