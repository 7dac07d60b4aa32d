#pragma once
/// Reverse DNS for addresses a command shows (trace hops), bounded in time.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::io {

/// The name of each address in `addrs` (getnameinfo with NI_NAMEREQD, so an
/// address without a name gives nothing rather than itself), looked up all
/// at once, one thread each, and given up after `budget`: the result never
/// waits longer, and a lookup still running then is left to finish on its
/// own and is dropped. Same order as `addrs`.
std::vector<std::optional<std::string>> reverse_names(std::span<const core::IpAddress> addrs, core::Duration budget);

}  // namespace tcphs::io
