#include <doctest/doctest.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/tcp.h>

#include <memory>
#include <vector>

#include "support/packet_fixtures.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/core/syn.hpp"

using namespace tcphs::core;
using tcphs::test::load_hex_fixture;

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint16_t be16(const Bytes& b, std::size_t at) { return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]); }
std::uint32_t be32(const Bytes& b, std::size_t at) {
  return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 | std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

/// RFC 1071 ones'-complement sum of 16-bit words, folded.
std::uint32_t sum16(const Bytes& b, std::size_t from, std::size_t to, std::uint32_t acc = 0) {
  for (std::size_t i = from; i + 1 < to; i += 2) acc += be16(b, i);
  if ((to - from) % 2) acc += std::uint32_t{b[to - 1]} << 8;
  return acc;
}

std::uint16_t fold(std::uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

/// Sums the IP header (IPv4) and the TCP segment with its pseudo-header
/// (RFC 9293 §3.1, RFC 8200 §8.1). A correct packet folds to 0xffff.
struct Residuals {
  std::uint16_t ip = 0xffff;
  std::uint16_t tcp = 0;
};

Residuals checksum_residuals(const Bytes& b) {
  Residuals r;
  if ((b[0] >> 4) == 4) {
    const std::size_t ihl = (b[0] & 0xf) * 4u;
    r.ip = fold(sum16(b, 0, ihl));
    std::uint32_t pseudo = sum16(b, 12, 20) + 6 + static_cast<std::uint32_t>(b.size() - ihl);
    r.tcp = fold(sum16(b, ihl, b.size(), pseudo));
  } else {
    std::uint32_t pseudo = sum16(b, 8, 40) + 6 + static_cast<std::uint32_t>(b.size() - 40);
    r.tcp = fold(sum16(b, 40, b.size(), pseudo));
  }
  return r;
}

SynSpec base_spec(Family family) {
  SynSpec s;
  if (family == Family::ipv4) {
    s.flow.local = *IpAddress::parse("127.0.0.1");
    s.flow.remote = *IpAddress::parse("127.0.0.2");
  } else {
    s.flow.local = *IpAddress::parse("fd00:77:1::1");
    s.flow.remote = *IpAddress::parse("fd00:77:2::1");
  }
  s.flow.local_port = 61000;
  s.flow.remote_port = 443;
  s.seq = 0xdeadbeef;
  s.ttl = 61;
  s.tos = 0x02;
  s.ip_id = 0x4242;
  s.flow_label = 0xabcde;
  s.window = 64240;
  s.ts_val = 4711;
  return s;
}

/// One Linux SYN captured by tests/data/capture_fixtures.sh, and the options
/// the kernel was configured to send.
struct LinuxSyn {
  const char* fixture;
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> wscale;
  bool sack;
  bool ts;
  bool tfo;
  bool ecn;
};

/// The SynSpec that should reproduce `b`, with header fields read from the capture.
SynSpec spec_from_capture(const LinuxSyn& l, const Bytes& b) {
  SynSpec s;
  const bool v4 = (b[0] >> 4) == 4;
  const Family f = v4 ? Family::ipv4 : Family::ipv6;
  const std::size_t th = v4 ? 20 : 40;
  if (v4) {
    s.tos = b[1];
    s.ip_id = be16(b, 4);
    s.ttl = b[8];
    s.flow.local = IpAddress::from_bytes(f, std::span(b).subspan(12, 4));
    s.flow.remote = IpAddress::from_bytes(f, std::span(b).subspan(16, 4));
  } else {
    s.tos = static_cast<std::uint8_t>(be16(b, 0) >> 4);
    s.flow_label = be32(b, 0) & 0xfffff;
    s.ttl = b[7];
    s.flow.local = IpAddress::from_bytes(f, std::span(b).subspan(8, 16));
    s.flow.remote = IpAddress::from_bytes(f, std::span(b).subspan(24, 16));
  }
  s.flow.local_port = be16(b, th);
  s.flow.remote_port = be16(b, th + 2);
  s.seq = be32(b, th + 4);
  s.window = be16(b, th + 14);
  s.ecn = l.ecn;
  if (l.ts) s.ts_val = be32(b, th + 28);  // after MSS and "04 02 08 0a" or "01 01 08 0a"
  s.options = {l.mss, l.wscale, l.sack, l.ts, l.tfo};
  return s;
}

}  // namespace

TEST_CASE("core::craft_syn IPv4 default") {
  SynSpec spec = base_spec(Family::ipv4);
  const Bytes b = craft_syn(spec);
  REQUIRE(b.size() == 60);
  CHECK(b[0] == 0x45);
  CHECK(b[1] == 0x02);
  CHECK(be16(b, 2) == 60);
  CHECK(be16(b, 4) == 0x4242);
  CHECK(be16(b, 6) == 0x4000);  // DF, offset 0
  CHECK(b[8] == 61);
  CHECK(b[9] == 6);
  CHECK(Bytes(b.begin() + 12, b.begin() + 20) == Bytes{127, 0, 0, 1, 127, 0, 0, 2});
  CHECK(be16(b, 20) == 61000);
  CHECK(be16(b, 22) == 443);
  CHECK(be32(b, 24) == 0xdeadbeef);
  CHECK(be32(b, 28) == 0);
  CHECK(b[32] == 0xa0);
  CHECK(b[33] == 0x02);
  CHECK(be16(b, 34) == 64240);
  CHECK(be16(b, 38) == 0);
  const Bytes options(b.begin() + 40, b.end());
  CHECK(options == Bytes{0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x12, 0x67,
                         0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07});
  Residuals r = checksum_residuals(b);
  CHECK(r.ip == 0xffff);
  CHECK(r.tcp == 0xffff);
}

TEST_CASE("core::craft_syn IPv6 default") {
  SynSpec spec = base_spec(Family::ipv6);
  spec.ecn = true;
  const Bytes b = craft_syn(spec);
  REQUIRE(b.size() == 80);
  CHECK(be32(b, 0) == (0x60000000u | 0x02u << 20 | 0xabcde));
  CHECK(be16(b, 4) == 40);
  CHECK(b[6] == 6);
  CHECK(b[7] == 61);
  CHECK(IpAddress::from_bytes(Family::ipv6, std::span(b).subspan(8, 16)) == spec.flow.local);
  CHECK(IpAddress::from_bytes(Family::ipv6, std::span(b).subspan(24, 16)) == spec.flow.remote);
  CHECK(b[53] == 0xc2);  // SYN|ECE|CWR
  CHECK(checksum_residuals(b).tcp == 0xffff);
}

TEST_CASE("core::craft_syn matches what Linux sends") {
  // The captured TCP checksums are partial sums left by checksum offload on
  // lo and veth, so they are skipped; ours are checked independently.
  const LinuxSyn cases[] = {
      {"syn_v4", 1460, 10, true, true, false, false},
      {"syn_v6", 1440, 10, true, true, false, false},
      {"syn_ecn_v4", 1460, 10, true, true, false, true},
      {"syn_lo_no_ts", 65495, 10, true, false, false, false},
      {"syn_lo_no_sack", 65495, 10, false, true, false, false},
      {"syn_lo_no_ws", 65495, std::nullopt, true, true, false, false},
      {"syn_lo_mss_ws", 65495, 10, false, false, false, false},
      {"syn_lo_mss_only", 65495, std::nullopt, false, false, false, false},
      {"syn_lo_tfo", 65495, 10, true, true, true, false},
  };
  for (const LinuxSyn& l : cases) {
    CAPTURE(l.fixture);
    const Bytes linux_syn = load_hex_fixture(l.fixture);
    const Bytes ours = craft_syn(spec_from_capture(l, linux_syn));
    REQUIRE(ours.size() == linux_syn.size());
    const std::size_t csum = ((linux_syn[0] >> 4) == 4 ? 20 : 40) + 16;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      if (i == csum || i == csum + 1) continue;
      CAPTURE(i);
      CHECK(ours[i] == linux_syn[i]);
    }
    Residuals r = checksum_residuals(ours);
    CHECK(r.ip == 0xffff);
    CHECK(r.tcp == 0xffff);
  }
}

TEST_CASE("core::craft_syn option combinations") {
  for (int bits = 0; bits < 32; ++bits) {
    for (Family family : {Family::ipv4, Family::ipv6}) {
      CAPTURE(bits);
      SynSpec spec = base_spec(family);
      spec.options.mss = (bits & 1) ? std::optional<std::uint16_t>(1200) : std::nullopt;
      spec.options.wscale = (bits & 2) ? std::optional<std::uint8_t>(14) : std::nullopt;
      spec.options.sack_permitted = bits & 4;
      spec.options.timestamps = bits & 8;
      spec.options.tfo_request = bits & 16;
      const Bytes b = craft_syn(spec);
      const std::size_t th = family == Family::ipv4 ? 20 : 40;
      const std::size_t want = ((bits & 1) ? 4u : 0u) + ((bits & 8) ? 12u : (bits & 4) ? 4u : 0u) +
                               ((bits & 2) ? 4u : 0u) + ((bits & 16) ? 4u : 0u);
      REQUIRE(b.size() == th + 20 + want);
      CHECK((b[th + 12] >> 4) * 4u == 20 + want);
      CHECK(checksum_residuals(b).tcp == 0xffff);

      TcpOptions o = decode_tcp_options(std::span(b).subspan(th + 20));
      CHECK_FALSE(o.malformed);
      CHECK(o.mss == spec.options.mss);
      CHECK(o.wscale == spec.options.wscale);
      CHECK(o.sack_permitted == spec.options.sack_permitted);
      CHECK(o.timestamps.has_value() == spec.options.timestamps);
      if (o.timestamps) CHECK(*o.timestamps == TcpTimestamps{4711, 0});
      CHECK(o.tfo_cookie.has_value() == spec.options.tfo_request);
      if (o.tfo_cookie) CHECK(o.tfo_cookie->empty());
      CHECK(o.unknown.empty());

      // libtins, as an independent parser, must accept the packet too.
      const auto size = static_cast<std::uint32_t>(b.size());
      std::unique_ptr<Tins::PDU> pdu;
      if (family == Family::ipv4)
        pdu = std::make_unique<Tins::IP>(b.data(), size);
      else
        pdu = std::make_unique<Tins::IPv6>(b.data(), size);
      const Tins::TCP* tcp = pdu->find_pdu<Tins::TCP>();
      REQUIRE(tcp);
      CHECK(tcp->seq() == 0xdeadbeef);
      CHECK(tcp->has_sack_permitted() == spec.options.sack_permitted);
    }
  }
}

TEST_CASE("core::craft_syn without options") {
  SynSpec spec = base_spec(Family::ipv4);
  spec.options = SynOptionsSpec::none();
  const Bytes b = craft_syn(spec);
  REQUIRE(b.size() == 40);
  CHECK(b[32] == 0x50);
  CHECK(checksum_residuals(b).tcp == 0xffff);
  SynSpec spec6 = base_spec(Family::ipv6);
  spec6.options = SynOptionsSpec::none();
  const Bytes b6 = craft_syn(spec6);
  REQUIRE(b6.size() == 60);
  CHECK(b6[52] == 0x50);
}

TEST_CASE("core::craft_syn decodes back to the spec") {
  SynSpec spec = base_spec(Family::ipv4);
  spec.ecn = true;
  auto decoded = decode_packet(craft_syn(spec));
  REQUIRE(std::holds_alternative<Packet>(decoded));
  const Packet& p = std::get<Packet>(decoded);
  CHECK(p.src == spec.flow.local);
  CHECK(p.dst == spec.flow.remote);
  CHECK(p.ttl == 61);
  CHECK(p.ip_id == 0x4242);
  CHECK(p.tcp()->seq == 0xdeadbeef);
  CHECK(flags_string(p.tcp()->flags) == "SEW");
  CHECK(describe_options(p.tcp()->options) == "mss 1460,sack,ts 4711/0,nop,wscale 7");
}

TEST_CASE("core::craft_syn refuses an impossible flow") {
  SynSpec mixed = base_spec(Family::ipv4);
  mixed.flow.remote = *IpAddress::parse("::1");
  CHECK(craft_syn(mixed).empty());
  SynSpec unspecified = base_spec(Family::ipv4);
  unspecified.flow.local = *IpAddress::parse("0.0.0.0");
  CHECK(craft_syn(unspecified).empty());
  SynSpec unspecified6 = base_spec(Family::ipv6);
  unspecified6.flow.local = *IpAddress::parse("::");
  CHECK(craft_syn(unspecified6).empty());
}
