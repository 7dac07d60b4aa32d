#pragma once
/// Decoded packets as seen at the IP layer. The decoder is our own
/// bounds-checked code (libtins' ICMP quote and option handling throws or
/// skips; see the engine notes), and it never throws.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "tcphs/core/ip_address.hpp"
#include "tcphs/core/tcp_options.hpp"

namespace tcphs::core {

namespace tcp_flag {
inline constexpr std::uint16_t fin = 0x001;
inline constexpr std::uint16_t syn = 0x002;
inline constexpr std::uint16_t rst = 0x004;
inline constexpr std::uint16_t psh = 0x008;
inline constexpr std::uint16_t ack = 0x010;
inline constexpr std::uint16_t urg = 0x020;
inline constexpr std::uint16_t ece = 0x040;
inline constexpr std::uint16_t cwr = 0x080;
inline constexpr std::uint16_t ae = 0x100;  ///< RFC 9768 AccECN (was NS)
}  // namespace tcp_flag

/// Flags as letters in tcpdump's order, which is bit order: F FIN, S SYN,
/// R RST, P PSH, A ACK (tcpdump's "."), U URG, E ECE, W CWR, then N for the
/// AE bit (RFC 9768; the old NS bit). "S", "SA", "RA", "FPA", "SAE", "SEW";
/// no flags at all gives "".
std::string flags_string(std::uint16_t flags);

struct TcpHeader {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t flags = 0;  ///< tcp_flag bits, AE included
  std::uint16_t window = 0;
  std::uint16_t urgent = 0;
  std::uint16_t checksum = 0;
  TcpOptions options;
  std::uint16_t payload_len = 0;
};

/// The original datagram quoted inside an ICMP error (RFC 792, RFC 4443
/// §2.4(c), RFC 1812 §4.3.2.3). `tcp` holds the whole quoted TCP header when
/// the quote is long enough for it (Linux routers quote the full probe).
struct IcmpQuote {
  IpAddress src;
  IpAddress dst;
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 0;          ///< TTL / hop limit as it reached the quoting hop
  std::uint8_t tos = 0;          ///< TOS / traffic class (ECN in the low 2 bits)
  std::uint16_t ip_id = 0;       ///< IPv4 only
  std::uint32_t flow_label = 0;  ///< IPv6 only
  std::uint16_t sport = 0;       ///< first 8 transport bytes: always present
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::optional<TcpHeader> tcp;
};

struct IcmpError {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  IcmpQuote quote;
};

/// One IPv4 or IPv6 packet carrying TCP, or an ICMP/ICMPv6 error about TCP.
struct Packet {
  IpAddress src;
  IpAddress dst;
  std::uint8_t ttl = 0;  ///< TTL / hop limit
  std::uint8_t tos = 0;  ///< TOS / traffic class
  std::uint16_t ip_id = 0;
  std::uint32_t flow_label = 0;
  std::variant<TcpHeader, IcmpError> body;

  const TcpHeader* tcp() const { return std::get_if<TcpHeader>(&body); }
  const IcmpError* icmp() const { return std::get_if<IcmpError>(&body); }
};

/// Why a buffer was not a Packet we care about.
enum class DecodeError : std::uint8_t {
  truncated,         ///< shorter than a header it claims
  bad_version,       ///< not IPv4/IPv6
  bad_header,        ///< a length or offset field is impossible
  fragment,          ///< a non-first fragment: no transport header here
  not_tcp_or_icmp,   ///< another protocol, or ICMP that is not an error about TCP
  bad_quote,         ///< ICMP error whose quote is too short for ports and seq, or not IP of its family
};

std::string_view decode_error_name(DecodeError e);

/// Decodes one packet that starts at the IP header. Bounds-checked; never
/// throws; IPv6 extension headers (hop-by-hop, routing, destination options,
/// first fragment) are walked. Bytes after the length the IP header states
/// (link padding) are ignored; a buffer shorter than that length (a capture
/// snaplen) is fine as long as every header is whole, and `payload_len` still
/// follows the IP length. An ICMP error must quote an IP header of its own
/// family carrying TCP, with at least the first 8 TCP bytes; an RFC 4884
/// length attribute bounds the quote.
std::variant<Packet, DecodeError> decode_packet(std::span<const std::uint8_t> ip);

}  // namespace tcphs::core
