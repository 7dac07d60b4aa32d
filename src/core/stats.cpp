#include "tcphs/core/stats.hpp"

#include <algorithm>
#include <cmath>

namespace tcphs::core {

void RttStats::add(std::int64_t ns) {
  samples_.push_back(ns);
  double x = static_cast<double>(ns);
  double delta = x - mean_;
  mean_ += delta / static_cast<double>(samples_.size());
  m2_ += delta * (x - mean_);
}

std::optional<RttSummary> RttStats::summary() const {
  if (samples_.empty()) return std::nullopt;
  std::vector<std::int64_t> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();

  RttSummary s;
  s.min = sorted.front();
  s.max = sorted.back();
  s.avg = mean_;
  s.median = n % 2 == 1 ? static_cast<double>(sorted[n / 2])
                        : (static_cast<double>(sorted[n / 2 - 1]) + static_cast<double>(sorted[n / 2])) / 2;
  // ceil(0.95 n) in integers, so n = 20 gives rank 19 exactly.
  std::size_t rank = (95 * n + 99) / 100;
  s.p95 = sorted[rank - 1];
  s.stddev = std::sqrt(std::max(0.0, m2_) / static_cast<double>(n));  // no NaN if rounding dips below 0
  return s;
}

double loss(std::size_t sent, std::size_t answered) {
  if (sent == 0) return 0;
  answered = std::min(answered, sent);
  return static_cast<double>(sent - answered) / static_cast<double>(sent);
}

}  // namespace tcphs::core
