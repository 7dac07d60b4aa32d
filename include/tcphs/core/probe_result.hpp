#pragma once
/// What one probe found: the value every reporter (text, JSON, check, scan)
/// renders, whichever mode (raw SYNs or kernel connect) produced it.

#include <cstdint>
#include <optional>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/outcome.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/core/tcp_options.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::core {

enum class ProbeMode : std::uint8_t { raw, connect };

/// The matched SYN-ACK or RST. Fields connect mode cannot see are empty.
struct ReplyInfo {
  std::uint16_t flags = 0;
  std::optional<std::uint8_t> ttl;
  std::optional<std::uint16_t> window;
  std::optional<std::uint32_t> isn;  ///< the server's ISN: a SYN-ACK's seq; none for an RST
  bool ecn = false;                  ///< RFC 3168 §6.1.1: ECE set and CWR clear on the SYN-ACK
  TcpOptions options;
  std::optional<std::uint16_t> ip_id{};  ///< IPv4 identification (isn classifies it); none for IPv6
};

struct IcmpInfo {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  IpAddress from;
  IcmpQuote quote;  ///< our SYN as the sender saw it (trace compares it with what we sent)
};

struct ProbeResult {
  std::size_t target_index = 0;  ///< the caller's tag for the target
  std::uint32_t number = 0;      ///< probe number from 1
  std::uint32_t attempt = 0;     ///< 1 = first SYN; the attempt that was answered
  Outcome outcome = Outcome::timeout;
  std::optional<std::int64_t> rtt_ns;
  StampSource rtt_source = StampSource::capture;
  /// Kernel receive stamp of the answer (raw mode): isn fits the server's
  /// clocks against it, which an RTT alone cannot give.
  std::optional<Stamp> rx;
  std::optional<ReplyInfo> reply;
  std::optional<IcmpInfo> icmp;
  FlowKey flow;
  ProbeMode mode = ProbeMode::raw;
};

}  // namespace tcphs::core
