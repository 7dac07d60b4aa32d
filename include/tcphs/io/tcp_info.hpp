#pragma once
/// TCP_INFO (linux/tcp.h): what the kernel negotiated on a connected socket.
/// Read in one place for both `connect()` users, the connect prober and the
/// handshake session.

#include <netinet/tcp.h>

#include <cstdint>
#include <optional>

namespace tcphs::io {

/// TCP_INFO's negotiated parameters on the connected socket.
struct TcpInfoFacts {
  std::uint32_t rtt_us = 0;
  std::uint32_t snd_mss = 0, rcv_mss = 0;
  std::optional<std::uint8_t> snd_wscale, rcv_wscale;  ///< only when window scaling was agreed
  bool sack = false, timestamps = false, ecn = false;
  std::uint32_t total_retrans = 0;
};

/// The socket's TCP_INFO, or nothing when getsockopt fails.
std::optional<tcp_info> tcp_info_of(int fd);

/// The negotiated parameters in `info`.
TcpInfoFacts facts_of(const tcp_info& info);

}  // namespace tcphs::io
