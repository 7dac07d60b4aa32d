#pragma once
/// Route and source-address lookup through rtnetlink RTM_GETROUTE (libtins'
/// routing reads only the main table and gets loopback and gateways wrong).

#include <cstdint>
#include <optional>
#include <string>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::io {

struct Route {
  std::string interface;                  ///< egress device name ("lo" for local targets)
  int ifindex = 0;
  core::IpAddress source;                 ///< preferred source (prefsrc), or `--source` when given
  std::optional<core::IpAddress> gateway; ///< next hop, when not on-link
  std::uint32_t mtu = 0;                  ///< route MTU, else the device MTU
};

/// Asks the kernel how it would send to `dst`, optionally from `source` and
/// out of `interface`. Errors: unknown interface (usage), no route (io),
/// a `source` that is not one of ours (usage).
core::Result<Route> lookup_route(const core::IpAddress& dst,
                                 const std::optional<core::IpAddress>& source,
                                 const std::optional<std::string>& interface);

}  // namespace tcphs::io
