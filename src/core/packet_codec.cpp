/// SYN crafting through libtins, the only file of the project that includes
/// it. Every libtins exception stays in here.

#include <tins/exceptions.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/tcp.h>

#include <cstring>

#include "tcphs/core/syn.hpp"

namespace tcphs::core {
namespace {

constexpr std::uint8_t kNop = 1;

void add_nop(Tins::TCP& tcp) { tcp.add_option(Tins::TCP::option(Tins::TCP::NOP)); }

/// Lays the options out as Linux's tcp_options_write() does, so our SYN looks
/// like the kernel's: MSS; then SACK-permitted and timestamps sharing one
/// word ("04 02 08 0a"), or NOP,NOP before whichever of the two is alone;
/// NOP before window scale; the TFO request padded by two NOPs. Every piece
/// is a multiple of 4 bytes, so libtins never has to pad.
void add_linux_options(Tins::TCP& tcp, const SynSpec& spec) {
  const SynOptionsSpec& o = spec.options;
  if (o.mss) tcp.mss(*o.mss);
  if (o.timestamps) {
    if (o.sack_permitted) {
      tcp.sack_permitted();
    } else {
      add_nop(tcp);
      add_nop(tcp);
    }
    tcp.timestamp(spec.ts_val, 0);
  } else if (o.sack_permitted) {
    add_nop(tcp);
    add_nop(tcp);
    tcp.sack_permitted();
  }
  if (o.wscale) {
    add_nop(tcp);
    tcp.winscale(*o.wscale);
  }
  if (o.tfo_request) {
    // libtins 4.0 cannot serialise an option with no data other than
    // SACK-permitted (upstream PR #404): give it one data byte but an
    // explicit length field of 2, which writes "22 02 01"; the NOP that
    // follows is the second padding NOP Linux writes ("22 02 01 01").
    tcp.add_option(Tins::TCP::option(34, 2, &kNop, &kNop + 1));
    add_nop(tcp);
  }
}

Tins::TCP make_tcp(const SynSpec& spec) {
  Tins::TCP tcp(spec.flow.remote_port, spec.flow.local_port);
  tcp.seq(spec.seq);
  tcp.ack_seq(0);
  std::uint16_t flags = Tins::TCP::SYN;
  if (spec.ecn) flags |= Tins::TCP::ECE | Tins::TCP::CWR;  // RFC 3168 §6.1.1
  tcp.flags(flags);
  tcp.window(spec.window);
  tcp.urg_ptr(0);
  add_linux_options(tcp, spec);
  return tcp;
}

Tins::IPv4Address v4(const IpAddress& a) {
  std::uint32_t raw = 0;  // libtins keeps the address in network order
  std::memcpy(&raw, a.bytes.data(), 4);
  return Tins::IPv4Address(raw);
}

Tins::IPv6Address v6(const IpAddress& a) { return Tins::IPv6Address(a.bytes.data()); }

std::vector<std::uint8_t> craft_v4(const SynSpec& spec) {
  Tins::IP ip(v4(spec.flow.remote), v4(spec.flow.local));
  ip.tos(spec.tos);
  ip.id(spec.ip_id);
  ip.flags(Tins::IP::DONT_FRAGMENT);  // Linux sets DF on TCP (path MTU discovery, RFC 1191)
  ip.fragment_offset(0);
  ip.ttl(spec.ttl);
  ip /= make_tcp(spec);
  return ip.serialize();
}

std::vector<std::uint8_t> craft_v6(const SynSpec& spec) {
  Tins::IPv6 ip(v6(spec.flow.remote), v6(spec.flow.local));
  ip.traffic_class(spec.tos);
  ip.flow_label(spec.flow_label & 0xfffffu);
  ip.hop_limit(spec.ttl);
  ip /= make_tcp(spec);
  return ip.serialize();
}

}  // namespace

std::vector<std::uint8_t> craft_syn(const SynSpec& spec) {
  const Family family = spec.flow.remote.family;
  // An unspecified source would make libtins look up an interface (I/O), and
  // the checksum needs the real source anyway.
  if (spec.flow.local.family != family || spec.flow.local.is_unspecified()) return {};
  try {
    return family == Family::ipv4 ? craft_v4(spec) : craft_v6(spec);
  } catch (const Tins::exception_base&) {
    return {};
  }
}

}  // namespace tcphs::core
