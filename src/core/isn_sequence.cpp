#include "tcphs/core/isn_sequence.hpp"

#include <cmath>
#include <numeric>

#include "tcphs/core/isn_fit.hpp"

namespace tcphs::core {
namespace {

/// Fewer guesses than this is within reach of a blind attacker sending a
/// burst of spoofed segments; 32 bits is the most an ISN can hide.
constexpr double predictable_below_bits = 24;

/// A 4-tuple's ISNs count as a clock when they stray from their line by
/// less than this share of one step between samples.
constexpr double clock_tolerance = 0.01;

double sample_sd(std::span<const double> v) {
  if (v.size() < 2) return 0;
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

std::optional<double> connection_clock(std::span<const IsnSample> samples, std::size_t& used) {
  const auto conn = busiest_connection(samples);
  used = conn.size();
  if (conn.size() < 3) return std::nullopt;
  std::vector<std::uint32_t> isns;
  std::vector<std::int64_t> stamps;
  for (const auto& s : conn) {
    isns.push_back(s.isn);
    stamps.push_back(s.rx_ns);
  }
  const auto x = seconds_since_first(stamps);
  const auto y = unwrap_counter(isns);
  const auto fit = fit_line(x, y);
  if (!fit || fit->slope <= 0) return std::nullopt;
  const double step = fit->slope * (x.back() - x.front()) / static_cast<double>(x.size() - 1);
  if (fit->rms > clock_tolerance * step) return std::nullopt;
  return fit->slope;
}

}  // namespace

std::string_view isn_verdict_word(IsnVerdict v) {
  switch (v) {
    case IsnVerdict::unknown: return "unknown";
    case IsnVerdict::constant: return "constant";
    case IsnVerdict::predictable: return "predictable";
    case IsnVerdict::unpredictable: return "unpredictable";
  }
  return "unknown";
}

SequenceAnalysis analyse_sequence(std::span<const IsnSample> samples) {
  SequenceAnalysis a;
  a.one_connection = !samples.empty() && connection_count(samples) == 1;
  a.connection_clock_hz = connection_clock(samples, a.connection_clock_samples);
  if (samples.size() < 2) return a;

  std::vector<double> diffs, rates;
  double elapsed = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    a.deltas.push_back(forward_delta(samples[i - 1].isn, samples[i].isn));
    const std::uint32_t d = mod_diff(samples[i - 1].isn, samples[i].isn);
    a.gcd = std::gcd(a.gcd, d);
    // nmap counts at least 1 µs between two replies, so the rate stays finite.
    const double dt = std::max(1e-6, static_cast<double>(samples[i].rx_ns - samples[i - 1].rx_ns) / 1e9);
    elapsed += dt;
    diffs.push_back(d);
    rates.push_back(d / dt);
  }
  const double mean_rate = std::accumulate(rates.begin(), rates.end(), 0.0) / static_cast<double>(rates.size());
  a.increments_per_s = mean_rate;
  if (samples.size() < 3) return a;

  if (a.gcd == 0) {
    a.sp_index = 0;
    a.guess_bits = 0;
    a.verdict = IsnVerdict::constant;
    return a;
  }
  // nmap divides by a GCD above 9 so that a fixed step per connection (the
  // 64K rule) scores 0, but not by a small one that random values share by chance.
  const double div = a.gcd > 9 ? static_cast<double>(a.gcd) : 1.0;
  std::vector<double> scaled;
  for (double r : rates) scaled.push_back(r / div);
  const double sd = sample_sd(scaled);
  a.sp_index = sd <= 1 ? 0 : static_cast<int>(std::lround(8 * std::log2(sd)));

  const double mean_interval = elapsed / static_cast<double>(rates.size());
  const double spread = std::min(sample_sd(rates) * mean_interval, sample_sd(diffs));
  a.guess_bits = std::log2(1 + spread);
  a.verdict = *a.guess_bits < predictable_below_bits ? IsnVerdict::predictable : IsnVerdict::unpredictable;
  return a;
}

}  // namespace tcphs::core
