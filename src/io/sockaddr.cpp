#include "tcphs/io/sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace tcphs::io {

socklen_t to_sockaddr(const core::IpAddress& ip, std::uint16_t port, sockaddr_storage& out,
                      std::uint32_t scope_id) {
  out = {};
  if (ip.family == core::Family::ipv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, ip.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, ip.bytes.data(), 16);
  sin6->sin6_scope_id = scope_id;
  return sizeof(sockaddr_in6);
}

std::optional<std::pair<core::IpAddress, std::uint16_t>> from_sockaddr(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(&sin->sin_addr);
    return std::pair{core::IpAddress::from_bytes(core::Family::ipv4, {raw, 4}), ntohs(sin->sin_port)};
  }
  if (sa->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr);
    return std::pair{core::IpAddress::from_bytes(core::Family::ipv6, {raw, 16}), ntohs(sin6->sin6_port)};
  }
  return std::nullopt;
}

bool is_link_local_v6(const core::IpAddress& ip) {
  return ip.family == core::Family::ipv6 && ip.bytes[0] == 0xfe && (ip.bytes[1] & 0xc0) == 0x80;
}

}  // namespace tcphs::io
