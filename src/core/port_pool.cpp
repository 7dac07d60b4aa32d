#include "tcphs/core/port_pool.hpp"

namespace tcphs::core {

PortPool::PortPool(std::uint16_t ephemeral_low, std::uint16_t ephemeral_high, std::uint32_t seed) {
  // Prefer the ports above the ephemeral range (61000-65535 with Linux's
  // default); fall back to the ports below it when the range reaches the top.
  if (ephemeral_high <= 65535 - 1024) {
    low_ = static_cast<std::uint16_t>(ephemeral_high + 1);
    high_ = 65535;
  } else {
    low_ = 1024;
    high_ = ephemeral_low > 2048 ? static_cast<std::uint16_t>(ephemeral_low - 1) : 2047;
  }
  cursor_ = seed % (static_cast<std::uint32_t>(high_ - low_) + 1);
}

std::uint16_t PortPool::next() {
  const std::uint32_t size = static_cast<std::uint32_t>(high_ - low_) + 1;
  const auto port = static_cast<std::uint16_t>(low_ + cursor_ % size);
  cursor_ = (cursor_ + 1) % size;
  return port;
}

}  // namespace tcphs::core
