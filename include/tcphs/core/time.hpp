#pragma once
/// Two clocks, never mixed:
///  - `Instant` (steady clock) schedules: deadlines, RTO, intervals. The io
///    loop reads it and passes it in; core never reads a clock.
///  - `Stamp` is a kernel packet timestamp, used only for RTTs. Capture
///    stamps and SO_TIMESTAMPING stamps share CLOCK_REALTIME, so their
///    difference is exact whatever the wall clock reads.

#include <chrono>
#include <cstdint>

namespace tcphs::core {

using Duration = std::chrono::nanoseconds;
using Instant = std::chrono::steady_clock::time_point;

/// Where a Stamp came from, so output can say which clock an RTT used.
enum class StampSource : std::uint8_t {
  capture,       ///< kernel receive/transmit stamp of the packet in the capture
  tx_software,   ///< SO_TIMESTAMPING software transmit stamp
  user,          ///< user-space clock read (fallback; less exact)
  tcp_info,      ///< the kernel's smoothed RTT from TCP_INFO (connect mode; µs resolution)
};

struct Stamp {
  std::int64_t ns = 0;  ///< nanoseconds since the epoch (CLOCK_REALTIME)
  StampSource source = StampSource::capture;
};

/// Round-trip time in ns between a transmit and a receive stamp.
inline std::int64_t rtt_ns(const Stamp& tx, const Stamp& rx) { return rx.ns - tx.ns; }

}  // namespace tcphs::core
