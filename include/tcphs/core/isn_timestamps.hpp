#pragma once
/// What a server's TCP timestamps (RFC 7323) reveal: the rate of its clock,
/// and whether every connection sees the same clock, which would then tell
/// how long the host has been up.
///
/// RFC 7323 §7.1 and RFC 9293 advise a random offset per connection. Linux
/// (net.ipv4.tcp_timestamps=1) has added one since 4.10: per 4-tuple at
/// first, per address pair soon after (commit 28ee1b746f49, 2017), and per
/// 4-tuple again since "tcp: secure_seq: add back ports to TS offset"
/// (165573e41f2f, 2026; the lab's 6.18 kernel has it). tcp_timestamps=2
/// sends the bare clock: milliseconds since boot.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tcphs/core/isn_sample.hpp"

namespace tcphs::core {

enum class TsOffset : std::uint8_t {
  unknown,         ///< no second 4-tuple to compare with, or no clock line
  per_connection,  ///< other 4-tuples are far off the reused one's line
  shared,          ///< every 4-tuple sampled is on one line
};

std::string_view ts_offset_word(TsOffset o);  ///< "unknown", "per_connection", "shared"

struct TimestampAnalysis {
  std::size_t samples = 0;          ///< SYN-ACKs
  std::size_t with_timestamps = 0;  ///< of which carried the timestamps option
  bool all_zero = false;            ///< every TSval was 0 (RFC 7323 allows no clock)
  /// TSval ticks per second of our receive stamps: the slope of a least-squares
  /// line through the reused 4-tuple's TSvals (one offset), or through every
  /// sample when they all lie on one line.
  std::optional<double> clock_hz;
  std::optional<double> nominal_hz;  ///< a usual rate within 5% of clock_hz (10, 100, 1000 Hz, 1 MHz...)
  std::optional<double> fit_rms_ticks;
  std::size_t fit_samples = 0;
  TsOffset offset = TsOffset::unknown;
  std::size_t offset_compared = 0;  ///< samples of other 4-tuples set against the line
  std::size_t offset_off_line = 0;  ///< ... of which were off it
  /// Only for a shared clock at a nominal rate: TSval / rate at the last
  /// sample, which is the uptime when the clock counts from boot (Linux with
  /// tcp_timestamps=2); a per-address-pair offset looks the same from one
  /// source address. Modulo 2^32 ticks (49.7 days at 1000 Hz).
  std::optional<double> uptime_s;
};

/// Analyses `samples`, which must be in receive order.
TimestampAnalysis analyse_timestamps(std::span<const IsnSample> samples);

}  // namespace tcphs::core
