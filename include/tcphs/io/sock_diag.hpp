#pragma once
/// One TCP socket as NETLINK_SOCK_DIAG (inet_diag) reports it: the only way
/// to see a connection after close(), in TIME_WAIT, with its timer.

#include <cstdint>
#include <optional>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/ladder.hpp"
#include "tcphs/core/result.hpp"

namespace tcphs::io {

struct DiagSocket {
  core::TcpState state = core::TcpState::closed;
  std::uint32_t expires_ms = 0;  ///< time left on its timer (the TIME_WAIT timer there)
};

/// The kernel's TCP states (include/net/tcp_states.h, also tcpi_state) in
/// core's terms; TCP_NEW_SYN_RECV reads as SYN_RECEIVED, unknown as CLOSED.
core::TcpState linux_tcp_state(int state);

/// Dumps the TCP sockets of `flow`'s family and returns the one with this
/// exact 4-tuple (`local` is ours), or nothing when the kernel has none.
/// Needs no privilege for our own sockets. Errors (io): netlink refused.
core::Result<std::optional<DiagSocket>> find_tcp_socket(const core::FlowKey& flow);

}  // namespace tcphs::io
