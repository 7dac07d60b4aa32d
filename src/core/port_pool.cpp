#include "tcphs/core/port_pool.hpp"

namespace tcphs::core {

PortPool::PortPool(std::uint16_t ephemeral_low, std::uint16_t ephemeral_high, std::uint32_t seed) {
  const std::uint32_t lo = ephemeral_low, hi = ephemeral_high;
  // Prefer the ports above the ephemeral range (61000-65535 with Linux's
  // default) when there are at least 1024 of them; else the larger of the
  // unprivileged ports below it and whatever is left above it; ports under
  // 1024 only when the range covers every other one.
  const std::uint32_t above = hi < 65535 ? 65535 - hi : 0;
  const std::uint32_t below = lo > 1024 ? lo - 1024 : 0;
  std::uint32_t first = 1, last = 65535;  // a range covering 1..65535 leaves no choice
  if (above >= 1024 || (above > 0 && above >= below)) {
    first = hi + 1;
    last = 65535;
  } else if (below > 0) {
    first = 1024;
    last = lo - 1;
  } else if (lo > 1) {
    first = 1;
    last = lo - 1;
  }
  low_ = static_cast<std::uint16_t>(first);
  high_ = static_cast<std::uint16_t>(last);
  cursor_ = seed % (last - first + 1);
}

std::uint16_t PortPool::next() {
  const std::uint32_t size = static_cast<std::uint32_t>(high_ - low_) + 1;
  const auto port = static_cast<std::uint16_t>(low_ + cursor_ % size);
  cursor_ = (cursor_ + 1) % size;
  return port;
}

}  // namespace tcphs::core
