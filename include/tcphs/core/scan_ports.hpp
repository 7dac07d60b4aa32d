#pragma once
/// Which ports a scan visits: the most common TCP ports by rank, for
/// `scan --top N` (and the default list when no -p is given).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tcphs/core/result.hpp"

namespace tcphs::core {

/// How many ranked ports the shipped table holds: `--top` accepts 1..this.
inline constexpr std::size_t top_ports_available = 1000;

/// The shipped ranking, most common first (see scan_top_ports.cpp for its
/// source and how it was derived).
std::span<const std::uint16_t> ranked_tcp_ports();

/// The `n` most common TCP ports, ascending (the order of sending is the
/// scanner's choice, as for parse_port_list). Usage error when `n` is 0 or
/// above top_ports_available.
Result<std::vector<std::uint16_t>> top_ports(std::size_t n);

}  // namespace tcphs::core
