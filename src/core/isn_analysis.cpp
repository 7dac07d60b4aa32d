#include "tcphs/core/isn_analysis.hpp"

#include <algorithm>
#include <vector>

namespace tcphs::core {

IsnAnalysis analyse_isn(std::span<const IsnSample> samples, const SynOffer& offer) {
  std::vector<IsnSample> sorted(samples.begin(), samples.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const IsnSample& a, const IsnSample& b) { return a.rx_ns < b.rx_ns; });
  IsnAnalysis a;
  a.samples = sorted.size();
  a.connections = connection_count(sorted);
  a.sequence = analyse_sequence(sorted);
  a.timestamps = analyse_timestamps(sorted);
  a.ip_id = analyse_ip_id(sorted);
  const auto rate = a.timestamps.nominal_hz ? a.timestamps.nominal_hz : a.timestamps.clock_hz;
  a.cookies = analyse_cookies(sorted, offer, rate);
  return a;
}

}  // namespace tcphs::core
