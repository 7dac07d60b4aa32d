#pragma once
/// Test-only packet builders (libtins as an independent oracle): replies and
/// ICMP errors shaped like those the lab captures, for engine and decoder tests.

#include <tins/icmp.h>
#include <tins/icmpv6.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>

#include <cstdint>
#include <vector>

#include "tcphs/core/ip_address.hpp"

namespace tcphs::test {

inline std::vector<std::uint8_t> tcp_packet(const core::IpAddress& src, const core::IpAddress& dst,
                                            std::uint16_t sport, std::uint16_t dport, std::uint32_t seq,
                                            std::uint32_t ack, std::uint16_t flags, std::uint8_t ttl = 64) {
  Tins::TCP tcp(dport, sport);
  tcp.seq(seq);
  tcp.ack_seq(ack);
  tcp.flags(static_cast<Tins::small_uint<12>>(flags));
  tcp.window(65483);
  if (flags & 0x02) {
    tcp.mss(1460);
    tcp.sack_permitted();
    tcp.timestamp(4711, 42);
    tcp.winscale(7);
  }
  if (src.family == core::Family::ipv4) {
    Tins::IP ip(Tins::IPv4Address(dst.to_string()), Tins::IPv4Address(src.to_string()));
    ip.ttl(ttl);
    ip.id(0);
    auto pkt = ip / tcp;
    return pkt.serialize();
  }
  Tins::IPv6 ip(Tins::IPv6Address(dst.to_string()), Tins::IPv6Address(src.to_string()));
  ip.hop_limit(ttl);
  auto pkt = ip / tcp;
  return pkt.serialize();
}

/// An ICMP(v6) error from `from` to `to` quoting `quoted` (a whole packet),
/// cut to `quote_len` bytes of it.
inline std::vector<std::uint8_t> icmp_error(const core::IpAddress& from, const core::IpAddress& to,
                                            std::uint8_t type, std::uint8_t code,
                                            const std::vector<std::uint8_t>& quoted,
                                            std::size_t quote_len = SIZE_MAX) {
  std::vector<std::uint8_t> quote(quoted.begin(), quoted.begin() + std::min(quote_len, quoted.size()));
  if (from.family == core::Family::ipv4) {
    Tins::ICMP icmp(static_cast<Tins::ICMP::Flags>(type));
    icmp.code(code);
    Tins::IP ip(Tins::IPv4Address(to.to_string()), Tins::IPv4Address(from.to_string()));
    ip.ttl(63);
    auto pkt = ip / icmp / Tins::RawPDU(quote);
    return pkt.serialize();
  }
  Tins::ICMPv6 icmp(static_cast<Tins::ICMPv6::Types>(type));
  icmp.code(code);
  Tins::IPv6 ip(Tins::IPv6Address(to.to_string()), Tins::IPv6Address(from.to_string()));
  auto pkt = ip / icmp / Tins::RawPDU(quote);
  return pkt.serialize();
}

}  // namespace tcphs::test
