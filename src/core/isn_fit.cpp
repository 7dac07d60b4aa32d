#include "tcphs/core/isn_fit.hpp"

#include <cmath>

namespace tcphs::core {

std::optional<LineFit> fit_line(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = x.size();
  if (n < 2 || y.size() != n) return std::nullopt;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  // Centred sums: the raw values (ticks in the billions) would lose the
  // digits that matter if squared directly.
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx <= 0) return std::nullopt;
  LineFit f;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.points = n;
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - (f.slope * x[i] + f.intercept);
    ss += r * r;
  }
  f.rms = std::sqrt(ss / static_cast<double>(n));
  return f;
}

std::vector<double> unwrap_counter(std::span<const std::uint32_t> readings) {
  std::vector<double> out;
  out.reserve(readings.size());
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (i == 0) {
      out.push_back(static_cast<double>(readings[0]));
      continue;
    }
    const auto step = static_cast<std::int32_t>(readings[i] - readings[i - 1]);
    out.push_back(out.back() + static_cast<double>(step));
  }
  return out;
}

std::vector<double> seconds_since_first(std::span<const std::int64_t> stamps_ns) {
  std::vector<double> out;
  out.reserve(stamps_ns.size());
  for (auto ns : stamps_ns) out.push_back(static_cast<double>(ns - stamps_ns.front()) / 1e9);
  return out;
}

}  // namespace tcphs::core
