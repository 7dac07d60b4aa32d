#pragma once
/// Conversions between core::IpAddress and the kernel's socket addresses.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "tcphs/core/ip_address.hpp"

namespace tcphs::io {

/// Fills `out` with `ip`:`port` (AF_INET or AF_INET6) and returns its length.
/// `scope_id` is the interface index an IPv6 link-local address needs.
socklen_t to_sockaddr(const core::IpAddress& ip, std::uint16_t port, sockaddr_storage& out,
                      std::uint32_t scope_id = 0);

/// The address and port in `sa`; nothing for families other than IPv4/IPv6.
std::optional<std::pair<core::IpAddress, std::uint16_t>> from_sockaddr(const sockaddr* sa);

/// fe80::/10, the addresses that need a scope (RFC 4291 §2.5.6).
bool is_link_local_v6(const core::IpAddress& ip);

}  // namespace tcphs::io
