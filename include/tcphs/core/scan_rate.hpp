#pragma once
/// Pacing for a scan: a token bucket that is told the time and never sleeps
/// (the event loop sleeps until next_tokens_at()), so tests drive it with
/// made-up instants.

#include <cstddef>

#include "tcphs/core/time.hpp"

namespace tcphs::core {

/// The highest `--rate` accepted, in packets per second. Sending 64 SYNs
/// per sendmmsg reaches about 400-900 kpps on one core (engine notes §5);
/// above a million the bucket, not the machine, would be the limit.
inline constexpr double max_scan_rate = 1'000'000;
/// The lowest rate the back-off goes down to.
inline constexpr double min_scan_rate = 100;

class TokenBucket {
 public:
  /// `rate` tokens per second; the bucket holds at most `burst` tokens
  /// (at least 1) and starts full at `start`.
  TokenBucket(double rate, std::size_t burst, Instant start);

  /// Takes up to `want` whole tokens available at `now` and returns how
  /// many were taken. Time going backwards adds nothing.
  std::size_t take(Instant now, std::size_t want);

  /// Gives back `n` tokens taken but not used (a send the kernel refused),
  /// never above the burst.
  void refund(std::size_t n);

  /// When `n` whole tokens will be there (n is capped at the burst): `now`
  /// when they already are. Waiting for a batch's worth, not for one token,
  /// keeps a fast scan from waking once per packet.
  Instant next_tokens_at(Instant now, std::size_t n = 1) const;
  std::size_t burst() const { return static_cast<std::size_t>(burst_); }

  double rate() const { return rate_; }
  /// Changes the rate and the burst from now on; tokens already in the
  /// bucket stay, up to the new burst.
  void set_rate(double rate, Instant now, std::size_t burst);

 private:
  void refill(Instant now);

  double rate_;
  double burst_;
  double tokens_;
  Instant last_;
};

/// The burst for `rate`: about 5 ms worth of packets, at least 1 and at
/// most max_scan_burst. A low rate stays spread out; at a high one, a loop
/// that wakes up late (a busy machine delays wake-ups by milliseconds)
/// catches up with several batches instead of losing the time.
std::size_t burst_for_rate(double rate);
inline constexpr std::size_t max_scan_burst = 2048;

}  // namespace tcphs::core
