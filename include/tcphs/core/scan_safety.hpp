#pragma once
/// When a scan must ask before it starts: many ports on a host that is
/// neither ours nor in a private or documentation range is what an attack
/// looks like to its owner, so it takes an explicit `--yes`.

#include <cstddef>

#include "tcphs/core/ip_address.hpp"

namespace tcphs::core {

/// More ports than this on one public destination need confirmation.
inline constexpr std::size_t unconfirmed_port_limit = 1024;

/// True for addresses that cannot be someone else's host on the Internet:
/// loopback, unspecified, private use (RFC 1918 10/8, 172.16/12,
/// 192.168/16; IPv6 unique local fc00::/7, RFC 4193), shared address space
/// (100.64/10, RFC 6598), link-local (169.254/16, fe80::/10), and the
/// documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, RFC 5737;
/// 2001:db8::/32, RFC 3849; 3fff::/20, RFC 9637). An IPv4-mapped IPv6
/// address is judged as its IPv4 address.
bool is_nonpublic(const IpAddress& a);

/// Whether scanning `ports` ports on `destination` needs `--yes`.
bool scan_needs_confirmation(const IpAddress& destination, std::size_t ports);

}  // namespace tcphs::core
