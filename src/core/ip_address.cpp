#include "tcphs/core/ip_address.hpp"

#include <arpa/inet.h>  // inet_pton/inet_ntop: pure text conversions, no syscall

#include <algorithm>

namespace tcphs::core {

std::string_view family_name(Family f) { return f == Family::ipv4 ? "ipv4" : "ipv6"; }

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

IpAddress IpAddress::from_bytes(Family family, std::span<const std::uint8_t> raw) {
  IpAddress ip;
  ip.family = family;
  std::copy_n(raw.begin(), std::min(raw.size(), ip.size()), ip.bytes.begin());
  return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.family = Family::ipv6;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

bool IpAddress::is_loopback() const {
  if (family == Family::ipv4) return bytes[0] == 127;
  for (std::size_t i = 0; i < 15; ++i)
    if (bytes[i] != 0) return false;
  return bytes[15] == 1;
}

bool IpAddress::is_unspecified() const {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::ipv4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

}  // namespace tcphs::core
