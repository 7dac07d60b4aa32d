#pragma once
/// How guessable a server's initial sequence numbers are, from a series of
/// SYN-ACKs. Blind spoofing and hijacking need the next ISN (RFC 6528 §1),
/// so the question is how far an observer who saw some ISNs is from it.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tcphs/core/isn_sample.hpp"

namespace tcphs::core {

enum class IsnVerdict : std::uint8_t {
  unknown,        ///< fewer than 3 samples
  constant,       ///< every ISN the same
  predictable,    ///< the next ISN is within 2^24 guesses
  unpredictable,  ///< it is not
};

std::string_view isn_verdict_word(IsnVerdict v);  ///< "unknown", "constant", ...

struct SequenceAnalysis {
  /// Forward differences mod 2^32 in receive order (sample i+1 minus sample i).
  std::vector<std::uint32_t> deltas;
  /// GCD of nmap's MOD_DIFFs (the shorter way round); 0 when every ISN is the same.
  std::uint32_t gcd = 0;
  /// Mean of MOD_DIFF / elapsed time (nmap's ISR before its logarithm).
  std::optional<double> increments_per_s;
  /// nmap's sequence predictability index SP: round(8 log2(sd)), sd the
  /// standard deviation of the per-second rates, divided by the GCD when it
  /// is above 9; 0 when sd <= 1. Random 32-bit ISNs sampled 0.1 s apart
  /// score about 260, a 250 kHz clock a few dozen.
  std::optional<int> sp_index;
  /// log2 of how many values an observer must still try for the next ISN,
  /// one sampling interval on: the smaller spread of two predictors, a clock
  /// (the mean rate times the interval) and a fixed step per connection (the
  /// mean difference). The verdict is `predictable` below 24 bits.
  std::optional<double> guess_bits;
  IsnVerdict verdict = IsnVerdict::unknown;
  bool one_connection = false;  ///< every SYN used one 4-tuple
  /// The ISN clock of a single 4-tuple, when its ISNs lie on a line: RFC 6528
  /// §3 makes ISN = M + F(4-tuple, secret), M a timer (Linux: 64 ns per step,
  /// 15.625 MHz). Predictable along one 4-tuple by design; F hides it from
  /// every other one.
  std::optional<double> connection_clock_hz;
  std::size_t connection_clock_samples = 0;  ///< samples of that 4-tuple
};

/// Analyses `samples`, which must be in receive order.
SequenceAnalysis analyse_sequence(std::span<const IsnSample> samples);

}  // namespace tcphs::core
