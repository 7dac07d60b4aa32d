#pragma once
/// For the "(lab)" test cases: they run only inside the namespace that
/// tests/lab/test_io_primitives.sh builds (doctest::skip elsewhere), and
/// expect exactly this topology:
///
///   here  lo up; tio0 10.78.1.1/24 fd00:78:1::1/64, mtu 1400, no default route
///         10.78.9.0/24 via 10.78.1.2 mtu 1280;  fd00:78:9::/64 via fd00:78:1::2
///         unreachable 10.78.66.0/24, blackhole 10.78.67.0/24, prohibit 10.78.68.0/24
///         nft: output to 10.78.1.3 and fd00:78:1::3 dropped
///   peer  tio1 10.78.1.2/24 fd00:78:1::2/64; 10.78.9.9 and fd00:78:9::9 on its lo
///         nft: input tcp dport 10 rejected with admin-prohibited
///         nothing listens: every other port answers a SYN with an RST

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/io/capture.hpp"

namespace tcphs::test::lab {

inline core::IpAddress ip(const char* text) { return *core::IpAddress::parse(text); }

/// A captured frame, copied out of the ring, with the few fields tests need.
struct Frame {
  std::vector<std::uint8_t> bytes;  ///< from the IP header
  std::int64_t stamp_ns = 0;

  bool v6() const { return !bytes.empty() && bytes[0] >> 4 == 6; }
  std::size_t tcp_at() const { return v6() ? 40 : static_cast<std::size_t>(bytes[0] & 0x0f) * 4; }
  bool is_tcp() const {
    if (bytes.size() < 20) return false;
    return (v6() ? bytes[6] : bytes[9]) == 6 && bytes.size() >= tcp_at() + 20;
  }
  std::uint8_t ttl() const { return v6() ? bytes[7] : bytes[8]; }
  core::IpAddress src() const {
    return core::IpAddress::from_bytes(v6() ? core::Family::ipv6 : core::Family::ipv4,
                                       {bytes.data() + (v6() ? 8 : 12), v6() ? 16u : 4u});
  }
  std::uint16_t sport() const {
    return static_cast<std::uint16_t>(bytes[tcp_at()] << 8 | bytes[tcp_at() + 1]);
  }
  std::uint8_t flags() const { return bytes[tcp_at() + 13]; }
};

inline constexpr std::uint8_t syn = 0x02, rst = 0x04, ack = 0x10;

/// Drains `capture` until `done(frames)` holds or `limit` passes (a bound,
/// not a wait: the loop leaves as soon as the frames are in).
template <typename Done>
std::vector<Frame> collect(io::Capture& capture, Done done,
                           std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  std::vector<Frame> frames;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto keep = [&](const io::CapturedFrame& f) { frames.push_back({{f.ip.begin(), f.ip.end()}, f.stamp.ns}); };
  while (true) {
    if (!capture.drain(keep).ok() || done(frames)) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{capture.fd(), POLLIN, 0};
    poll(&pfd, 1, static_cast<int>(left.count()));
  }
  return frames;
}

inline std::size_t count(const std::vector<Frame>& frames, const core::IpAddress& from,
                         std::uint8_t flag_bits) {
  std::size_t n = 0;
  for (const auto& f : frames)
    if (f.is_tcp() && f.src() == from && (f.flags() & flag_bits) == flag_bits) ++n;
  return n;
}

}  // namespace tcphs::test::lab
