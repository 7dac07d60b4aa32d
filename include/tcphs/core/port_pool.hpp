#pragma once
/// Source ports for raw probes. They come from outside the kernel's
/// ephemeral range (net.ipv4.ip_local_port_range) so the kernel never picks
/// the same port for a socket of its own while our SYN is out; the kernel's
/// RST to the SYN-ACK then tears down the server's half-open state.

#include <cstdint>

namespace tcphs::core {

class PortPool {
 public:
  /// `ephemeral_low..ephemeral_high` is the kernel's range; `seed` picks a
  /// starting point so two runs at once rarely collide. The pool is the
  /// ports above the range when at least 1024 are, else the larger free
  /// side (ports below 1024 only when nothing else is free); it overlaps
  /// the range only when the range is 1..65535.
  PortPool(std::uint16_t ephemeral_low, std::uint16_t ephemeral_high, std::uint32_t seed);
  /// The next port, cycling through the pool.
  std::uint16_t next();
  std::uint16_t low() const { return low_; }
  std::uint16_t high() const { return high_; }

 private:
  std::uint16_t low_;
  std::uint16_t high_;
  std::uint32_t cursor_;
};

}  // namespace tcphs::core
