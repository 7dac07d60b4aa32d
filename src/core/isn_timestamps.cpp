#include "tcphs/core/isn_timestamps.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "tcphs/core/isn_fit.hpp"

namespace tcphs::core {
namespace {

/// Rates seen in the wild: Linux 1000 Hz (and 1 MHz with the usec_ts route
/// feature), BSDs and Windows 100 Hz or 1000 Hz, old systems 2 or 10 Hz.
constexpr std::array<double, 9> usual_rates{1, 2, 10, 100, 200, 250, 500, 1000, 1e6};

struct Line {
  LineFit fit;
  std::int64_t origin_ns = 0;  ///< x = 0
  std::uint16_t port = 0;      ///< the 4-tuple it was fitted on; 0 for all samples
};

/// A line through the TSvals of `pts`, or none when they do not lie on one:
/// they may stray from it by a quarter of the mean step between samples,
/// which admits a SYN cookie's TSval, rounded down to 64 ticks (the cookie
/// check decides what that rounding means).
std::optional<LineFit> fit_clock(std::span<const IsnSample> pts, std::int64_t origin_ns) {
  if (pts.size() < 3) return std::nullopt;
  std::vector<double> x;
  std::vector<std::uint32_t> ticks;
  for (const auto& s : pts) {
    x.push_back(static_cast<double>(s.rx_ns - origin_ns) / 1e9);
    ticks.push_back(*s.tsval);
  }
  const auto y = unwrap_counter(ticks);
  auto fit = fit_line(x, y);
  if (!fit || fit->slope <= 0) return std::nullopt;
  const double step = fit->slope * (x.back() - x.front()) / static_cast<double>(x.size() - 1);
  if (fit->rms > std::max(2.0, 0.25 * step)) return std::nullopt;
  return fit;
}

/// Signed distance in ticks (mod 2^32) of a TSval from the line at its time.
double off_line(const Line& line, const IsnSample& s) {
  const double x = static_cast<double>(s.rx_ns - line.origin_ns) / 1e9;
  double predicted = std::fmod(line.fit.slope * x + line.fit.intercept, 4294967296.0);
  if (predicted < 0) predicted += 4294967296.0;
  const auto expected = static_cast<std::uint32_t>(std::llround(predicted) & 0xffffffffLL);
  return static_cast<double>(static_cast<std::int32_t>(*s.tsval - expected));
}

std::optional<double> nominal(double hz) {
  for (double r : usual_rates)
    if (std::abs(hz - r) <= 0.05 * r) return r;
  return std::nullopt;
}

}  // namespace

std::string_view ts_offset_word(TsOffset o) {
  switch (o) {
    case TsOffset::unknown: return "unknown";
    case TsOffset::per_connection: return "per_connection";
    case TsOffset::shared: return "shared";
  }
  return "unknown";
}

TimestampAnalysis analyse_timestamps(std::span<const IsnSample> samples) {
  TimestampAnalysis a;
  a.samples = samples.size();
  std::vector<IsnSample> ts;
  for (const auto& s : samples)
    if (s.tsval) ts.push_back(s);
  a.with_timestamps = ts.size();
  if (ts.empty()) return a;
  a.all_zero = std::all_of(ts.begin(), ts.end(), [](const IsnSample& s) { return *s.tsval == 0; });
  if (a.all_zero) return a;

  const std::int64_t origin = ts.front().rx_ns;
  const auto conn = busiest_connection(ts);
  const std::size_t connections = connection_count(ts);
  std::optional<Line> line;
  if (auto fit = fit_clock(conn, origin)) line = Line{*fit, origin, conn.front().source_port};

  if (line) {
    // Other 4-tuples on the same line share the clock; a random offset puts
    // them anywhere in 2^32. The margin covers jitter and a cookie's rounding.
    const double tolerance = std::max({8 * line->fit.rms, 0.1 * line->fit.slope, 2.0});
    for (const auto& s : ts) {
      if (s.source_port == line->port) continue;
      ++a.offset_compared;
      if (std::abs(off_line(*line, s)) > tolerance) ++a.offset_off_line;
    }
    if (a.offset_compared)
      a.offset = 2 * a.offset_off_line > a.offset_compared ? TsOffset::per_connection : TsOffset::shared;
  } else if (auto fit = fit_clock(ts, origin)) {
    // Too few samples of one 4-tuple, but every sample is on one line.
    line = Line{*fit, origin, 0};
    if (connections > 1) a.offset = TsOffset::shared;
  } else if (connections > 1 && ts.size() >= 3) {
    // No line at all: a random offset on every connection, even a reused 4-tuple.
    a.offset = TsOffset::per_connection;
  }
  if (!line) return a;

  a.clock_hz = line->fit.slope;
  a.fit_rms_ticks = line->fit.rms;
  a.fit_samples = line->fit.points;
  a.nominal_hz = nominal(line->fit.slope);
  if (a.offset == TsOffset::shared && a.nominal_hz) a.uptime_s = static_cast<double>(*ts.back().tsval) / *a.nominal_hz;
  return a;
}

}  // namespace tcphs::core
