#include "tcphs/core/scan_rate.hpp"

#include <algorithm>
#include <cmath>

namespace tcphs::core {

TokenBucket::TokenBucket(double rate, std::size_t burst, Instant start)
    : rate_(rate), burst_(static_cast<double>(std::max<std::size_t>(burst, 1))), tokens_(burst_), last_(start) {}

void TokenBucket::refill(Instant now) {
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  last_ = now;
}

std::size_t TokenBucket::take(Instant now, std::size_t want) {
  refill(now);
  const auto whole = static_cast<std::size_t>(std::floor(tokens_));
  const std::size_t n = std::min(whole, want);
  tokens_ -= static_cast<double>(n);
  return n;
}

void TokenBucket::refund(std::size_t n) { tokens_ = std::min(burst_, tokens_ + static_cast<double>(n)); }

Instant TokenBucket::next_tokens_at(Instant now, std::size_t n) const {
  const double want = std::clamp(static_cast<double>(n), 1.0, burst_);
  const Instant from = std::max(now, last_);
  // Tokens at `from`, counting the refill since the last take.
  const double have =
      std::min(burst_, tokens_ + std::chrono::duration<double>(from - last_).count() * rate_);
  if (have >= want) return from;
  const double seconds = (want - have) / rate_;
  return from + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)) + Duration(1);
}

void TokenBucket::set_rate(double rate, Instant now, std::size_t burst) {
  refill(now);
  rate_ = rate;
  burst_ = static_cast<double>(std::max<std::size_t>(burst, 1));
  tokens_ = std::min(tokens_, burst_);
}

std::size_t burst_for_rate(double rate) {
  const auto five_ms = static_cast<std::size_t>(rate / 200.0);
  return std::clamp<std::size_t>(five_ms, 1, max_scan_burst);
}

}  // namespace tcphs::core
