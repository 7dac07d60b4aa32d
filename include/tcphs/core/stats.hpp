#pragma once
/// RTT statistics for a probe summary (SPEC §3 probe, §4 `summary`).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tcphs::core {

/// All values in nanoseconds.
struct RttSummary {
  std::int64_t min = 0;
  double avg = 0;
  double median = 0;   ///< the mean of the two middle samples when the count is even
  std::int64_t p95 = 0;
  std::int64_t max = 0;
  double stddev = 0;   ///< population standard deviation
};

/// Collects the RTTs of one target's answered probes. Keeps every sample
/// (one per probe, so bounded by the probe count) because the median and
/// p95 need them; the mean and deviation are kept with Welford's update
/// (Knuth TAOCP vol. 2 §4.2.2), which stays exact where a running sum of
/// squares would cancel catastrophically.
class RttStats {
 public:
  void add(std::int64_t ns);
  std::size_t count() const { return samples_.size(); }

  /// Nothing when there are no samples.
  /// - p95 uses the nearest-rank method: the sample of rank ceil(0.95 n) in
  ///   ascending order (Hyndman & Fan 1996, definition 1), so it is always
  ///   a measured value, never an interpolation.
  /// - stddev is the population deviation (divides by n, like ping's mdev):
  ///   it describes the probes that were sent, not an unseen population,
  ///   and is 0 for a single sample instead of undefined.
  std::optional<RttSummary> summary() const;

 private:
  std::vector<std::int64_t> samples_;
  double mean_ = 0;
  double m2_ = 0;  ///< sum of squared deviations from the running mean
};

/// Fraction of probes that got no reply at all, 0..1. `answered` counts
/// probes with any matched reply, ICMP errors included: only `timeout`
/// means the SYN or its answer was lost. 0 when nothing was sent; an
/// `answered` above `sent` (a caller bug) is treated as `sent`.
double loss(std::size_t sent, std::size_t answered);

}  // namespace tcphs::core
