#pragma once
/// SYN segments as values, and their bytes on the wire.

#include <cstdint>
#include <optional>
#include <vector>

#include "tcphs/core/ip_address.hpp"

namespace tcphs::core {

/// Which options the SYN carries. The default is what Linux sends:
/// MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes).
struct SynOptionsSpec {
  std::optional<std::uint16_t> mss = 1460;
  std::optional<std::uint8_t> wscale = 7;
  bool sack_permitted = true;
  bool timestamps = true;
  bool tfo_request = false;  ///< RFC 7413 cookie request (kind 34, length 2)
  static SynOptionsSpec none() { return {std::nullopt, std::nullopt, false, false, false}; }
};

/// Every header field, set explicitly: libtins' defaults (TTL 128, IP ID 1,
/// window 32678) would otherwise leak into the packet.
struct SynSpec {
  FlowKey flow;
  std::uint32_t seq = 0;
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;            ///< TOS / traffic class, ECN bits included as given
  std::uint16_t ip_id = 0;         ///< IPv4
  std::uint32_t flow_label = 0;    ///< IPv6 (20 bits)
  std::uint16_t window = 64240;
  bool ecn = false;                ///< RFC 3168 ECN-setup SYN: ECE|CWR
  std::uint32_t ts_val = 0;        ///< TSval when timestamps are on
  SynOptionsSpec options;
};

/// The complete IPv4 or IPv6 packet (header + TCP), checksums filled in.
/// IPv4 carries DF, as Linux sends SYNs. The options follow Linux's layout
/// (NOP padding included), so the options area is a multiple of 4 bytes.
/// Empty when the flow's two addresses differ in family or the source is
/// unspecified: the TCP checksum covers the real source (RFC 9293 §3.1).
std::vector<std::uint8_t> craft_syn(const SynSpec& spec);

}  // namespace tcphs::core
