#include "tcphs/io/system.hpp"

#include <sodium.h>
#include <sys/random.h>

#include <cerrno>
#include <chrono>
#include <fstream>

namespace tcphs::io {

std::pair<std::uint16_t, std::uint16_t> local_port_range() {
  constexpr std::pair<std::uint16_t, std::uint16_t> linux_default{32768, 60999};
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  long low = 0;
  long high = 0;
  if (!(in >> low >> high) || low < 1 || high > 65535 || low > high) return linux_default;
  return {static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)};
}

std::array<std::uint8_t, 16> random_key() {
  std::array<std::uint8_t, 16> key{};
  std::size_t filled = 0;
  while (filled < key.size()) {
    const ssize_t n = getrandom(key.data() + filled, key.size() - filled, 0);
    if (n > 0) {
      filled += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      // getrandom(2) blocked by a seccomp policy (ENOSYS/EPERM): libsodium
      // falls back to /dev/urandom and aborts rather than return weak bytes.
      if (sodium_init() < 0) break;
      randombytes_buf(key.data() + filled, key.size() - filled);
      filled = key.size();
    }
  }
  return key;
}

core::Instant now() { return std::chrono::steady_clock::now(); }

}  // namespace tcphs::io
