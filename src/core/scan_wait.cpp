#include "tcphs/core/scan_wait.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tcphs::core {

std::size_t RttHistogram::bucket_of(std::int64_t ns) {
  if (ns < (std::int64_t{1} << first_octave)) return 0;
  const auto v = static_cast<std::uint64_t>(ns);
  const int octave = std::bit_width(v) - 1;  // 2^octave <= v < 2^(octave+1)
  if (octave >= first_octave + octaves) return sub_buckets * octaves;
  // The three bits below the leading one pick the eighth of the octave.
  const auto sub = static_cast<std::size_t>((v >> (octave - 3)) & 7);
  return 1 + static_cast<std::size_t>(octave - first_octave) * sub_buckets + sub;
}

std::int64_t RttHistogram::upper_edge(std::size_t bucket) {
  if (bucket == 0) return std::int64_t{1} << first_octave;
  const std::size_t index = bucket - 1;
  const int octave = first_octave + static_cast<int>(index / sub_buckets);
  const auto sub = static_cast<std::int64_t>(index % sub_buckets);
  const std::int64_t base = std::int64_t{1} << octave;
  return base + (sub + 1) * (base / sub_buckets);
}

void RttHistogram::add(std::int64_t ns) {
  ++buckets_[bucket_of(std::max<std::int64_t>(ns, 0))];
  ++count_;
}

std::optional<std::int64_t> RttHistogram::quantile(double q) const {
  if (count_ == 0) return std::nullopt;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= rank) return upper_edge(b);
  }
  return upper_edge(buckets_.size() - 1);
}

Duration adaptive_wait(const RttHistogram& rtts, const WaitPolicy& policy) {
  const auto p99 = rtts.quantile(0.99);
  if (!p99) return policy.ceiling;
  const auto scaled = Duration(static_cast<std::int64_t>(static_cast<double>(*p99) * policy.p99_multiple));
  return std::clamp(scaled, policy.floor, std::max(policy.floor, policy.ceiling));
}

}  // namespace tcphs::core
