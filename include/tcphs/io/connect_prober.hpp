#pragma once
/// Unprivileged probing through the kernel: a non-blocking connect() per
/// probe, the verdict from its errno and the RTT and options from TCP_INFO.
/// It cannot tell RST from ICMP port-unreachable (both ECONNREFUSED), and
/// admin-prohibited arrives as EHOSTUNREACH or EACCES.

#include <cstdint>
#include <optional>
#include <string>

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
  core::Duration timeout{};        ///< total time allowed for connect()
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
};

}  // namespace tcphs::io
