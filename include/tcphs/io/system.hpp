#pragma once
/// Small facts read from the system, each behind one function.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::io {

/// net.ipv4.ip_local_port_range; (32768, 60999) if it cannot be read.
std::pair<std::uint16_t, std::uint16_t> local_port_range();

/// 16 bytes from getrandom(2), the per-run key for SYN cookies.
std::array<std::uint8_t, 16> random_key();

/// The steady clock, read only here and in the event loop.
core::Instant now();


/// Resolves `host` (a name or a numeric address) to addresses of the wanted
/// families, in resolver order, without duplicates. Error kind `resolve`
/// when nothing resolves ("could not resolve 'X': <reason>"). A numeric
/// address is returned as it is, or a usage error when its family is not
/// wanted. Neither family wanted means both. No AI_ADDRCONFIG: it does not
/// count loopback addresses, so "localhost" would fail in a namespace that
/// has only `lo`; a family without a route is reported by lookup_route.
core::Result<std::vector<core::IpAddress>> resolve_host(const std::string& host, bool want_v4, bool want_v6);

/// A service name ("https") to its TCP port via the services database
/// (/etc/services); all digits are read as the port itself (1-65535).
/// Usage error "unknown service 'X'" when unknown.
core::Result<std::uint16_t> resolve_service(const std::string& name);

/// Every TCP service of the services database (/etc/services through NSS)
/// as (port, name), ascending by port, the first name of a port only.
/// Empty when the database cannot be read. For naming many ports at once
/// (a scan's table) without one lookup per port.
std::vector<std::pair<std::uint16_t, std::string>> tcp_service_names();

/// How to get raw-socket rights; every `permission` error ends with it.
inline constexpr std::string_view net_raw_hint =
    "raw sockets need CAP_NET_RAW: run as root, or 'sudo setcap cap_net_raw+ep $(command -v tcphs)', "
    "or in a container '--cap-add NET_RAW'; or use --mode connect";

/// True when the process can open raw sockets now. CAP_NET_RAW that is
/// permitted but not effective is raised into the effective set here, so a
/// true answer means socket(SOCK_RAW) will not fail for lack of rights.
bool have_net_raw();

/// Drops every capability from the effective, permitted, inheritable and
/// ambient sets (and the bounding set where CAP_SETPCAP allows), turns
/// KEEPCAPS off and sets NO_NEW_PRIVS, so nothing can be regained, not even
/// through exec. Call it once sockets are open and before threads start:
/// capability sets are per thread.
core::Status drop_all_capabilities();

}  // namespace tcphs::io
