#include <algorithm>

#include "tcphs/core/packet.hpp"

namespace tcphs::core {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoIcmpv6 = 58;
/// More extension headers than this is an attack or garbage, not a reply.
constexpr int kMaxExtensionHeaders = 8;

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

/// The network-layer facts of one datagram (outer packet or ICMP quote).
struct IpLayer {
  IpAddress src;
  IpAddress dst;
  std::uint8_t ttl = 0;
  std::uint8_t tos = 0;
  std::uint8_t protocol = 0;  ///< upper-layer protocol after any IPv6 extension headers
  std::uint16_t ip_id = 0;
  std::uint32_t flow_label = 0;
  std::size_t transport = 0;    ///< offset of the transport header
  std::size_t claimed_end = 0;  ///< end of the datagram per its length field; may exceed the bytes held
};

using IpResult = std::variant<IpLayer, DecodeError>;

/// RFC 791 §3.1. Only the first fragment (offset 0) carries the TCP header.
IpResult parse_ipv4(Bytes b) {
  if (b.size() < 20) return DecodeError::truncated;
  const std::size_t ihl = (b[0] & 0x0fu) * 4u;
  const std::size_t total = be16(&b[2]);
  if (ihl < 20 || total < ihl) return DecodeError::bad_header;
  if (ihl > b.size()) return DecodeError::truncated;
  if ((be16(&b[6]) & 0x1fffu) != 0) return DecodeError::fragment;
  IpLayer ip;
  ip.src = IpAddress::from_bytes(Family::ipv4, b.subspan(12, 4));
  ip.dst = IpAddress::from_bytes(Family::ipv4, b.subspan(16, 4));
  ip.tos = b[1];
  ip.ip_id = be16(&b[4]);
  ip.ttl = b[8];
  ip.protocol = b[9];
  ip.transport = ihl;
  ip.claimed_end = total;
  return ip;
}

/// Checks that [off, off+len) lies inside the datagram and inside the bytes held.
std::optional<DecodeError> check_span(Bytes b, std::size_t claimed_end, std::size_t off, std::size_t len) {
  if (off + len > claimed_end) return DecodeError::bad_header;
  if (off + len > b.size()) return DecodeError::truncated;
  return std::nullopt;
}

/// RFC 8200 §3-4: walks hop-by-hop (0), routing (43), fragment (44) and
/// destination options (60) headers up to the upper-layer protocol.
IpResult parse_ipv6(Bytes b) {
  if (b.size() < 40) return DecodeError::truncated;
  IpLayer ip;
  ip.tos = static_cast<std::uint8_t>(be16(&b[0]) >> 4);
  ip.flow_label = be32(&b[0]) & 0xfffffu;
  ip.claimed_end = 40u + be16(&b[4]);
  ip.ttl = b[7];
  ip.src = IpAddress::from_bytes(Family::ipv6, b.subspan(8, 16));
  ip.dst = IpAddress::from_bytes(Family::ipv6, b.subspan(24, 16));
  std::uint8_t next = b[6];
  std::size_t off = 40;
  for (int walked = 0;; ++walked) {
    std::size_t len = 0;
    if (next == 0 || next == 43 || next == 60) {
      if (auto e = check_span(b, ip.claimed_end, off, 2)) return *e;
      len = (b[off + 1] + 1u) * 8u;
    } else if (next == 44) {
      len = 8;
    } else {
      break;
    }
    if (walked == kMaxExtensionHeaders) return DecodeError::bad_header;
    if (auto e = check_span(b, ip.claimed_end, off, len)) return *e;
    if (next == 44 && (be16(&b[off + 2]) & 0xfff8u) != 0) return DecodeError::fragment;
    next = b[off];
    off += len;
  }
  ip.protocol = next;
  ip.transport = off;
  return ip;
}

IpResult parse_ip(Bytes b) {
  if (b.empty()) return DecodeError::truncated;
  switch (b[0] >> 4) {
    case 4: return parse_ipv4(b);
    case 6: return parse_ipv6(b);
    default: return DecodeError::bad_version;
  }
}

/// `seg` starts at the TCP header and holds what was captured of it;
/// `claimed_len` is the segment length the IP header states (RFC 9293 §3.1).
std::variant<TcpHeader, DecodeError> decode_tcp(Bytes seg, std::size_t claimed_len) {
  if (claimed_len < 20) return DecodeError::bad_header;
  if (seg.size() < 20) return DecodeError::truncated;
  const std::size_t doff = (seg[12] >> 4) * 4u;
  if (doff < 20 || doff > claimed_len) return DecodeError::bad_header;
  if (doff > seg.size()) return DecodeError::truncated;
  TcpHeader t;
  t.sport = be16(&seg[0]);
  t.dport = be16(&seg[2]);
  t.seq = be32(&seg[4]);
  t.ack = be32(&seg[8]);
  t.flags = static_cast<std::uint16_t>((seg[12] & 0x01u) << 8 | seg[13]);
  t.window = be16(&seg[14]);
  t.checksum = be16(&seg[16]);
  t.urgent = be16(&seg[18]);
  t.options = decode_tcp_options(seg.subspan(20, doff - 20));
  t.payload_len = static_cast<std::uint16_t>(claimed_len - doff);
  return t;
}

/// The original datagram inside an ICMP error. A quote cut inside its IP
/// header or before the 8th transport byte cannot be matched: bad_quote.
std::variant<IcmpQuote, DecodeError> decode_quote(Bytes q, Family family) {
  const unsigned want_version = family == Family::ipv4 ? 4 : 6;
  if (q.empty() || (q[0] >> 4) != want_version) return DecodeError::bad_quote;
  IpResult parsed = parse_ip(q);
  if (auto* e = std::get_if<DecodeError>(&parsed))
    return *e == DecodeError::fragment || *e == DecodeError::not_tcp_or_icmp ? *e : DecodeError::bad_quote;
  const IpLayer& ip = std::get<IpLayer>(parsed);
  if (ip.protocol != kProtoTcp) return DecodeError::not_tcp_or_icmp;
  const Bytes held = q.first(std::min(ip.claimed_end, q.size())).subspan(ip.transport);
  if (held.size() < 8) return DecodeError::bad_quote;
  IcmpQuote quote;
  quote.src = ip.src;
  quote.dst = ip.dst;
  quote.protocol = ip.protocol;
  quote.ttl = ip.ttl;
  quote.tos = ip.tos;
  quote.ip_id = ip.ip_id;
  quote.flow_label = ip.flow_label;
  quote.sport = be16(&held[0]);
  quote.dport = be16(&held[2]);
  quote.seq = be32(&held[4]);
  auto tcp = decode_tcp(held, ip.claimed_end - ip.transport);
  if (auto* t = std::get_if<TcpHeader>(&tcp)) quote.tcp = std::move(*t);
  return quote;
}

/// RFC 792 types 3 and 11, RFC 4443 types 1 and 3: the errors that can be
/// about a SYN we sent. `msg` starts at the ICMP header.
std::variant<IcmpError, DecodeError> decode_icmp(Bytes msg, Family family) {
  if (msg.size() < 8) return DecodeError::truncated;
  const bool v4 = family == Family::ipv4;
  const std::uint8_t type = msg[0];
  const bool is_error = v4 ? (type == 3 || type == 11) : (type == 1 || type == 3);
  if (!is_error) return DecodeError::not_tcp_or_icmp;
  Bytes q = msg.subspan(8);
  // RFC 4884 §4: a non-zero length attribute bounds the quote; extension
  // objects follow it and must not be read as the quoted datagram.
  const std::size_t words = v4 ? msg[5] * 4u : msg[4] * 8u;
  if (words != 0 && words <= q.size()) q = q.first(words);
  auto quote = decode_quote(q, family);
  if (auto* e = std::get_if<DecodeError>(&quote)) return *e;
  return IcmpError{type, msg[1], std::move(std::get<IcmpQuote>(quote))};
}

}  // namespace

std::string flags_string(std::uint16_t flags) {
  static constexpr struct {
    std::uint16_t bit;
    char letter;
  } kLetters[] = {{tcp_flag::fin, 'F'}, {tcp_flag::syn, 'S'}, {tcp_flag::rst, 'R'},
                  {tcp_flag::psh, 'P'}, {tcp_flag::ack, 'A'}, {tcp_flag::urg, 'U'},
                  {tcp_flag::ece, 'E'}, {tcp_flag::cwr, 'W'}, {tcp_flag::ae, 'N'}};
  std::string s;
  for (const auto& l : kLetters)
    if (flags & l.bit) s += l.letter;
  return s;
}

std::string_view decode_error_name(DecodeError e) {
  switch (e) {
    case DecodeError::truncated: return "truncated";
    case DecodeError::bad_version: return "bad_version";
    case DecodeError::bad_header: return "bad_header";
    case DecodeError::fragment: return "fragment";
    case DecodeError::not_tcp_or_icmp: return "not_tcp_or_icmp";
    case DecodeError::bad_quote: return "bad_quote";
  }
  return "unknown";
}

std::variant<Packet, DecodeError> decode_packet(std::span<const std::uint8_t> ip_bytes) {
  IpResult parsed = parse_ip(ip_bytes);
  if (auto* e = std::get_if<DecodeError>(&parsed)) return *e;
  const IpLayer& ip = std::get<IpLayer>(parsed);
  const Family family = ip.src.family;
  // Link-layer padding after the datagram is not ours to read.
  const Bytes held = ip_bytes.first(std::min(ip.claimed_end, ip_bytes.size())).subspan(ip.transport);

  Packet p;
  p.src = ip.src;
  p.dst = ip.dst;
  p.ttl = ip.ttl;
  p.tos = ip.tos;
  p.ip_id = ip.ip_id;
  p.flow_label = ip.flow_label;
  const std::uint8_t icmp_proto = family == Family::ipv4 ? kProtoIcmp : kProtoIcmpv6;
  if (ip.protocol == kProtoTcp) {
    auto tcp = decode_tcp(held, ip.claimed_end - ip.transport);
    if (auto* e = std::get_if<DecodeError>(&tcp)) return *e;
    p.body = std::move(std::get<TcpHeader>(tcp));
  } else if (ip.protocol == icmp_proto) {
    auto icmp = decode_icmp(held, family);
    if (auto* e = std::get_if<DecodeError>(&icmp)) return *e;
    p.body = std::move(std::get<IcmpError>(icmp));
  } else {
    return DecodeError::not_tcp_or_icmp;
  }
  return p;
}

}  // namespace tcphs::core
