#include "tcphs/core/scan_safety.hpp"

#include <algorithm>

namespace tcphs::core {
namespace {

struct Prefix {
  std::uint8_t bytes[4];
  int bits;
};

bool v4_nonpublic(const std::uint8_t* a) {
  static constexpr Prefix ranges[] = {
      {{0, 0, 0, 0}, 32},       {{127, 0, 0, 0}, 8},     {{10, 0, 0, 0}, 8},
      {{172, 16, 0, 0}, 12},    {{192, 168, 0, 0}, 16},  {{100, 64, 0, 0}, 10},
      {{169, 254, 0, 0}, 16},   {{192, 0, 2, 0}, 24},    {{198, 51, 100, 0}, 24},
      {{203, 0, 113, 0}, 24},
  };
  const std::uint32_t v = std::uint32_t{a[0]} << 24 | std::uint32_t{a[1]} << 16 | std::uint32_t{a[2]} << 8 | a[3];
  return std::any_of(std::begin(ranges), std::end(ranges), [&](const Prefix& p) {
    const std::uint32_t net =
        std::uint32_t{p.bytes[0]} << 24 | std::uint32_t{p.bytes[1]} << 16 | std::uint32_t{p.bytes[2]} << 8 | p.bytes[3];
    const std::uint32_t mask = p.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - p.bits);
    return (v & mask) == net;
  });
}

}  // namespace

bool is_nonpublic(const IpAddress& a) {
  const auto& b = a.bytes;
  if (a.family == Family::ipv4) return v4_nonpublic(b.data());
  if (a.is_loopback() || a.is_unspecified()) return true;
  const bool mapped = std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) &&
                      b[10] == 0xff && b[11] == 0xff;
  if (mapped) return v4_nonpublic(b.data() + 12);
  if ((b[0] & 0xfe) == 0xfc) return true;                   // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;   // fe80::/10
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // 2001:db8::/32
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0x00) return true;        // 3fff::/20
  return false;
}

bool scan_needs_confirmation(const IpAddress& destination, std::size_t ports) {
  return ports > unconfirmed_port_limit && !is_nonpublic(destination);
}

}  // namespace tcphs::core
