#pragma once
/// Small facts read from the system, each behind one function.

#include <array>
#include <cstdint>
#include <string>
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
/// families, in resolver order. Error kind `resolve` when nothing resolves.
core::Result<std::vector<core::IpAddress>> resolve_host(const std::string& host, bool want_v4, bool want_v6);

/// A service name ("https") to its TCP port via /etc/services. Usage error when unknown.
core::Result<std::uint16_t> resolve_service(const std::string& name);

/// True when the process can open raw sockets now (CAP_NET_RAW effective or obtainable).
bool have_net_raw();

/// Drops every capability from the effective, permitted and inheritable
/// sets (and the bounding set where permitted) once sockets are open.
core::Status drop_all_capabilities();

}  // namespace tcphs::io
