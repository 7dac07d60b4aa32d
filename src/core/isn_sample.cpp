#include "tcphs/core/isn_sample.hpp"

#include <map>

namespace tcphs::core {

std::vector<IsnSample> busiest_connection(std::span<const IsnSample> samples) {
  std::map<std::uint16_t, std::size_t> count;
  std::uint16_t best = 0;
  std::size_t best_count = 0;
  for (const auto& s : samples) {
    const std::size_t c = ++count[s.source_port];
    if (c > best_count) {  // strictly more: the first port to reach a count keeps it
      best = s.source_port;
      best_count = c;
    }
  }
  std::vector<IsnSample> out;
  for (const auto& s : samples)
    if (s.source_port == best) out.push_back(s);
  return out;
}

std::size_t connection_count(std::span<const IsnSample> samples) {
  std::map<std::uint16_t, bool> seen;
  for (const auto& s : samples) seen[s.source_port] = true;
  return seen.size();
}

}  // namespace tcphs::core
