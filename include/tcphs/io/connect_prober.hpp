#pragma once
/// Unprivileged probing through the kernel: a non-blocking connect() per
/// probe, the verdict from its errno and the RTT and options from TCP_INFO.
/// It cannot tell RST from ICMP port-unreachable (both ECONNREFUSED), and
/// admin-prohibited arrives as EHOSTUNREACH or EACCES.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::io {

struct ConnectRequest {
  core::IpAddress dst;
  std::uint16_t port = 0;
  std::optional<core::IpAddress> source;
  std::uint16_t source_port = 0;   ///< 0: kernel chooses
  std::optional<std::string> interface;
  std::optional<int> ttl;
  core::Duration timeout{};        ///< total time allowed for connect(); must be positive
};

/// What the kernel told us. `errno_value` 0 means connected.
struct ConnectResult {
  int errno_value = 0;
  core::Duration elapsed{};               ///< user clock around connect (fallback only)
  std::optional<std::uint32_t> rtt_us;    ///< tcpi_rtt when connected
  std::optional<std::uint16_t> mss;       ///< tcpi_snd_mss
  std::optional<std::uint8_t> snd_wscale, rcv_wscale;
  bool sack = false, timestamps = false, ecn = false;
  std::uint32_t retransmits = 0;          ///< SYN retransmissions seen (tcpi_total_retrans)
  core::IpAddress local;                  ///< the address the kernel chose
  std::uint16_t local_port = 0;
  /// A local failure that says nothing about the target (no descriptors, an
  /// unknown interface, a source that cannot be bound, no free port): no SYN
  /// was sent, `errno_value` holds the errno, and this the message and kind
  /// (usage for an unknown interface or a source that is not ours).
  std::optional<core::Error> error;
  /// The run was stopped (run_connects' `stop`) before this one's verdict.
  bool interrupted = false;
};

/// Runs every request as a non-blocking connect(), at most `parallel` at a
/// time (0 counts as 1), and returns one result per request, in input order.
///
/// Unless `error` is set, `errno_value` is the kernel's verdict: 0,
/// connect()'s own errno (ECONNREFUSED, ENETUNREACH, EHOSTUNREACH,
/// EACCES...), SO_ERROR once the socket reports, or ETIMEDOUT when the
/// request's timeout passes first. A local failure marks only its request.
///
/// Decisions:
///  - The timeout is the whole budget and our deadline. The kernel resends
///    the SYN on its own RTO schedule, 1 s doubling (RFC 6298 §2.1, SPEC §2),
///    and `retransmits` counts those resends. TCP_SYNCNT is left alone: its
///    default (6 resends, about 127 s) outlasts any sensible timeout.
///  - Sockets close with SO_LINGER 0, i.e. an RST after a completed
///    handshake. A FIN close would leave every probed 4-tuple in TIME_WAIT on
///    our side for 60 s, which repeated probes from one --source-port collide
///    with; the target sees a reset instead of an orderly close.
///  - A given source is bound with IP_BIND_ADDRESS_NO_PORT unless a source
///    port is given too (then SO_REUSEADDR), so the kernel picks the port
///    per 4-tuple at connect() time.
/// When `stop_fd` (a StopEvent's or SignalBlock's, or -1 for none) turns
/// readable it returns at once, closing what is in flight: the requests
/// without a verdict then have `interrupted` set.
std::vector<ConnectResult> run_connects(std::span<const ConnectRequest> requests, std::size_t parallel,
                                        int stop_fd = -1);

}  // namespace tcphs::io
