#pragma once
/// How long a scan waits for an answer before it retransmits, and after its
/// last SYN: a multiple of the RTTs measured so far, like nmap's timeout
/// (which follows srtt + 4 rttvar, RFC 6298 §2, between a floor and a
/// ceiling). A fixed 1 s RTO would make a LAN scan many times slower.

#include <array>
#include <cstdint>
#include <optional>

#include "tcphs/core/time.hpp"

namespace tcphs::core {

/// RTT samples in a fixed log-scale histogram: 8 buckets per power of two
/// from 1 µs to about 69 s, so a quantile is within 1/8 of an octave (9%)
/// of the true value and memory does not grow with the sample count.
class RttHistogram {
 public:
  void add(std::int64_t ns);
  std::uint64_t count() const { return count_; }
  /// The upper edge of the bucket holding the sample of rank ceil(q * n)
  /// (nearest rank), so the answer is never below the true quantile. Nothing
  /// without samples; q in (0, 1].
  std::optional<std::int64_t> quantile(double q) const;

 private:
  static constexpr int sub_buckets = 8;
  static constexpr int first_octave = 10;  ///< 2^10 ns ~ 1 µs: everything below shares bucket 0
  static constexpr int octaves = 27;       ///< up to 2^36 ns ~ 69 s
  static std::size_t bucket_of(std::int64_t ns);
  static std::int64_t upper_edge(std::size_t bucket);

  std::array<std::uint32_t, sub_buckets * octaves + 1> buckets_{};
  std::uint64_t count_ = 0;
};

struct WaitPolicy {
  Duration floor = std::chrono::milliseconds(20);
  Duration ceiling = std::chrono::seconds(1);  ///< also the wait before any RTT is known
  double p99_multiple = 3.0;
};

/// clamp(p99_multiple x p99, floor, ceiling); the ceiling without samples.
Duration adaptive_wait(const RttHistogram& rtts, const WaitPolicy& policy);

}  // namespace tcphs::core
