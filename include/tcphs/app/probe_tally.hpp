#pragma once
/// Collects results per target as they stream in, reports each one, and at
/// the end reports the summaries and decides the exit code.

#include <span>
#include <vector>

#include "tcphs/app/reporter.hpp"

namespace tcphs::app {

class ProbeTally {
 public:
  ProbeTally(std::span<const TargetInfo> targets, ProbeReporter& reporter, core::ProbeMode mode);

  void add(const core::ProbeResult& r);
  /// Reports a summary for every target, in argument order.
  void finish();
  /// SPEC §2: 0 when every result is expected, else the code of the first
  /// target (in argument order) with an unexpected outcome.
  int exit_code(std::span<const core::Outcome> expect) const;

  TargetSummary summary_of(std::size_t target) const;

 private:
  std::span<const TargetInfo> targets_;
  ProbeReporter& reporter_;
  core::ProbeMode mode_;
  std::vector<std::vector<core::ProbeResult>> results_;  ///< per target
};

}  // namespace tcphs::app
