#pragma once
/// Straight lines through a server's counters: how fast a 32-bit clock
/// (TCP timestamps, an ISN timer) runs against our kernel receive stamps.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tcphs::core {

struct LineFit {
  double slope = 0;      ///< y units per x unit: Hz when x is seconds
  double intercept = 0;  ///< y at x = 0
  double rms = 0;        ///< root mean square of the residuals, in y units
  std::size_t points = 0;
};

/// Ordinary least squares y = slope * x + intercept. None with fewer than
/// two points, when x does not vary, or when the spans differ in length.
std::optional<LineFit> fit_line(std::span<const double> x, std::span<const double> y);

/// Readings of a 32-bit counter in time order, made continuous: each step is
/// the signed 32-bit difference from the previous reading, so a wrap past
/// 2^32 (or a small step back) does not look like a jump of 4 billion. Holds
/// while consecutive readings are less than 2^31 apart.
std::vector<double> unwrap_counter(std::span<const std::uint32_t> readings);

/// Seconds since the first stamp, for each stamp (ns).
std::vector<double> seconds_since_first(std::span<const std::int64_t> stamps_ns);

}  // namespace tcphs::core
