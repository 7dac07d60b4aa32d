#include "tcphs/app/probe_tally.hpp"

#include <algorithm>

namespace tcphs::app {

ProbeTally::ProbeTally(std::span<const TargetInfo> targets, ProbeReporter& reporter, core::ProbeMode mode)
    : targets_(targets), reporter_(reporter), mode_(mode), results_(targets.size()) {}

void ProbeTally::add(const core::ProbeResult& r) {
  if (r.target_index >= results_.size()) return;
  results_[r.target_index].push_back(r);
  reporter_.probe(targets_[r.target_index], r);
}

TargetSummary ProbeTally::summary_of(std::size_t target) const {
  TargetSummary s;
  s.mode = mode_;
  core::RttStats rtts;
  std::size_t answered = 0;
  for (const auto& r : results_[target]) {
    ++s.counts[static_cast<int>(r.outcome)];
    if (r.outcome != core::Outcome::timeout) ++answered;
    if (r.rtt_ns) rtts.add(*r.rtt_ns);
  }
  s.sent = results_[target].size();
  s.loss = core::loss(s.sent, answered);
  s.rtt = rtts.summary();
  return s;
}

void ProbeTally::finish() {
  for (std::size_t i = 0; i < targets_.size(); ++i) reporter_.summary(targets_[i], summary_of(i));
}

int ProbeTally::exit_code(std::span<const core::Outcome> expect) const {
  for (const auto& per_target : results_) {
    auto sorted = per_target;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
    std::vector<core::Outcome> outcomes;
    for (const auto& r : sorted) outcomes.push_back(r.outcome);
    if (int code = core::exit_code_for(outcomes, expect)) return code;
  }
  return 0;
}

}  // namespace tcphs::app
