#pragma once
/// Everything `isn` concludes from a series of SYN-ACKs, in one value.

#include <span>

#include "tcphs/core/isn_cookies.hpp"
#include "tcphs/core/isn_ip_id.hpp"
#include "tcphs/core/isn_sample.hpp"
#include "tcphs/core/isn_sequence.hpp"
#include "tcphs/core/isn_timestamps.hpp"

namespace tcphs::core {

struct IsnAnalysis {
  std::size_t samples = 0;
  std::size_t connections = 0;  ///< distinct 4-tuples (source ports) among them
  SequenceAnalysis sequence;
  TimestampAnalysis timestamps;
  IpIdAnalysis ip_id;
  CookieAnalysis cookies;
};

/// Sorts `samples` by receive stamp and runs every analysis on them.
IsnAnalysis analyse_isn(std::span<const IsnSample> samples, const SynOffer& offer);

}  // namespace tcphs::core
