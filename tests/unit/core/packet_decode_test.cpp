#include <doctest/doctest.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>

#include <memory>

#include "support/packet_fixtures.hpp"
#include "tcphs/core/packet.hpp"

using namespace tcphs::core;
using namespace tcphs::test;

TEST_CASE("core::decode_packet Linux replies") {
  SUBCASE("SYN-ACK, IPv4") {
    auto p = decode_ok(load_hex_fixture("synack_v4"));
    CHECK(p.src == addr("10.77.2.1"));
    CHECK(p.dst == addr("10.77.1.1"));
    CHECK(p.ttl == 63);
    CHECK(p.ip_id == 0);
    const TcpHeader* t = p.tcp();
    REQUIRE(t);
    CHECK(t->sport == 8080);
    CHECK(t->dport == 48754);
    CHECK(t->seq == 0x33968a8du);
    CHECK(t->ack == 0x07232a43u);
    CHECK(t->flags == (tcp_flag::syn | tcp_flag::ack));
    CHECK(t->window == 65160);
    CHECK(t->checksum == 0x17ca);
    CHECK(t->payload_len == 0);
    CHECK(describe_options(t->options) == "mss 1460,sack,ts 4150320755/3206175376,nop,wscale 10");
  }
  SUBCASE("the SYN-ACK acknowledges the captured SYN") {
    auto syn = decode_ok(load_hex_fixture("syn_v4"));
    auto synack = decode_ok(load_hex_fixture("synack_v4"));
    CHECK(synack.tcp()->ack == syn.tcp()->seq + 1);
    CHECK(synack.tcp()->options.timestamps->ecr == syn.tcp()->options.timestamps->val);
  }
  SUBCASE("SYN-ACK, IPv6") {
    auto p = decode_ok(load_hex_fixture("synack_v6"));
    CHECK(p.src == addr("fd00:77:2::1"));
    CHECK(p.dst == addr("fd00:77:1::1"));
    CHECK(p.ttl == 63);
    CHECK(p.flow_label == 0x735e4);
    REQUIRE(p.tcp());
    CHECK(p.tcp()->flags == (tcp_flag::syn | tcp_flag::ack));
    CHECK(p.tcp()->options.mss == 1440);
    CHECK(p.tcp()->options.wscale == 10);
    CHECK(p.tcp()->options.sack_permitted);
  }
  SUBCASE("kernel RST, IPv4 and IPv6") {
    auto v4 = decode_ok(load_hex_fixture("rst_v4"));
    REQUIRE(v4.tcp());
    CHECK(flags_string(v4.tcp()->flags) == "RA");
    CHECK(v4.tcp()->sport == 8081);
    CHECK(v4.tcp()->ack == 0xd8252455u);
    CHECK(v4.tcp()->options.kinds.empty());
    auto v6 = decode_ok(load_hex_fixture("rst_v6"));
    REQUIRE(v6.tcp());
    CHECK(flags_string(v6.tcp()->flags) == "RA");
    CHECK(v6.tcp()->ack == 0x146b5466u);
  }
  SUBCASE("ECN-setup SYN-ACK keeps ECE") {
    auto p = decode_ok(load_hex_fixture("synack_ecn_v4"));
    CHECK(p.tcp()->flags == (tcp_flag::syn | tcp_flag::ack | tcp_flag::ece));
    CHECK(flags_string(p.tcp()->flags) == "SAE");
    CHECK(flags_string(decode_ok(load_hex_fixture("syn_ecn_v4")).tcp()->flags) == "SEW");
  }
  SUBCASE("Ethernet padding after the datagram is ignored") {
    Bytes b = load_hex_fixture("rst_v4");
    b.insert(b.end(), 6, 0xee);
    auto p = decode_ok(b);
    CHECK(p.tcp()->payload_len == 0);
    CHECK(p.tcp()->options.kinds.empty());
  }
  SUBCASE("payload length comes from the IP header, not from the bytes held") {
    Bytes b = load_hex_fixture("synack_v4");
    put16(b, 2, 60 + 1000);
    CHECK(decode_ok(b).tcp()->payload_len == 1000);
    Bytes b6 = load_hex_fixture("synack_v6");
    put16(b6, 4, 40 + 300);
    CHECK(decode_ok(b6).tcp()->payload_len == 300);
  }
}

TEST_CASE("core::decode_packet IPv6 extension headers") {
  const Bytes rst = load_hex_fixture("rst_v6");
  SUBCASE("hop-by-hop then destination options before TCP") {
    auto p = decode_ok(with_ext_headers(rst, 0, {pad_n8, pad_n8}, {0, 60}));
    REQUIRE(p.tcp());
    CHECK(p.tcp()->ack == 0x146b5466u);
    CHECK(flags_string(p.tcp()->flags) == "RA");
    CHECK(p.tcp()->payload_len == 0);
  }
  SUBCASE("routing header and a first fragment") {
    Bytes frag = {0, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78};  // offset 0, more fragments
    auto p = decode_ok(with_ext_headers(rst, 0, {pad_n8, frag}, {43, 44}));
    CHECK(p.tcp()->sport == 8081);
  }
  SUBCASE("a later fragment has no TCP header") {
    Bytes frag = {0, 0, 0x00, 0xb8, 0x12, 0x34, 0x56, 0x78};  // offset 23 * 8
    CHECK(decode_err(with_ext_headers(rst, 0, {frag}, {44})) == DecodeError::fragment);
  }
  SUBCASE("ESP and no-next-header are not ours") {
    Bytes b = rst;
    b[6] = 50;
    CHECK(decode_err(b) == DecodeError::not_tcp_or_icmp);
    CHECK(decode_err(with_ext_headers(b, 0, {pad_n8}, {0})) == DecodeError::not_tcp_or_icmp);
    b[6] = 59;
    CHECK(decode_err(b) == DecodeError::not_tcp_or_icmp);
  }
  SUBCASE("an extension header cut by the buffer or by the payload length") {
    Bytes b = with_ext_headers(rst, 0, {pad_n8}, {0});
    b.resize(44);
    CHECK(decode_err(b) == DecodeError::truncated);
    Bytes c = with_ext_headers(rst, 0, {pad_n8}, {0});
    put16(c, 4, 4);
    CHECK(decode_err(c) == DecodeError::bad_header);
  }
  SUBCASE("a chain that never ends is refused") {
    std::vector<Bytes> many(9, pad_n8);
    CHECK(decode_err(with_ext_headers(rst, 0, many, std::vector<std::uint8_t>(9, 60))) ==
          DecodeError::bad_header);
    std::vector<Bytes> enough(8, pad_n8);
    CHECK(decode_ok(with_ext_headers(rst, 0, enough, std::vector<std::uint8_t>(8, 60))).tcp());
  }
}

TEST_CASE("core::decode_packet malformed") {
  const Bytes synack = load_hex_fixture("synack_v4");
  SUBCASE("empty, short and unknown versions") {
    CHECK(decode_err({}) == DecodeError::truncated);
    CHECK(decode_err(Bytes(synack.begin(), synack.begin() + 19)) == DecodeError::truncated);
    Bytes b = synack;
    b[0] = 0x55;
    CHECK(decode_err(b) == DecodeError::bad_version);
    const Bytes rst6 = load_hex_fixture("rst_v6");
    CHECK(decode_err(Bytes(rst6.begin(), rst6.begin() + 39)) == DecodeError::truncated);
  }
  SUBCASE("IPv4 IHL below 5") {
    Bytes b = synack;
    b[0] = 0x44;
    CHECK(decode_err(b) == DecodeError::bad_header);
  }
  SUBCASE("IPv4 IHL beyond the datagram, and beyond the buffer") {
    Bytes b = synack;
    b[0] = 0x4f;
    CHECK(decode_err(b) == DecodeError::bad_header);
    b.resize(40);
    put16(b, 2, 200);
    CHECK(decode_err(b) == DecodeError::truncated);
  }
  SUBCASE("IPv4 non-first fragment; a first fragment decodes") {
    Bytes b = synack;
    put16(b, 6, 0x0010);
    CHECK(decode_err(b) == DecodeError::fragment);
    put16(b, 6, 0x2000);
    CHECK(decode_ok(b).tcp());
  }
  SUBCASE("TCP data offset below 5") {
    Bytes b = synack;
    b[32] = 0x40;
    CHECK(decode_err(b) == DecodeError::bad_header);
  }
  SUBCASE("TCP data offset beyond the datagram, and beyond the buffer") {
    Bytes b = synack;
    b[32] = 0xf0;
    CHECK(decode_err(b) == DecodeError::bad_header);
    Bytes c = synack;
    c.resize(50);
    CHECK(decode_err(c) == DecodeError::truncated);
    Bytes d = synack;
    d.resize(30);
    CHECK(decode_err(d) == DecodeError::truncated);
  }
  SUBCASE("malformed options still give a header") {
    // The captured SYN-ACKs, IPv4 and IPv6, with the MSS option's length
    // (the first option, right after the 20-byte TCP header) broken: 0, 1,
    // or running past the 20-byte option area. The header, ports and
    // sequence numbers survive; the walk stops, so no MSS and nothing after.
    for (const char* fixture : {"synack_v4", "synack_v6"}) {
      const Bytes good = load_hex_fixture(fixture);
      const std::size_t len_at = (std::string(fixture) == "synack_v4" ? 20 : 40) + 20 + 1;
      REQUIRE(good[len_at - 1] == 2);  // MSS kind
      REQUIRE(good[len_at] == 4);
      const auto ok = decode_ok(good);
      REQUIRE(ok.tcp()->options.mss);
      for (std::uint8_t length : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{21}, std::uint8_t{255}}) {
        CAPTURE(fixture);
        CAPTURE(int(length));
        Bytes b = good;
        b[len_at] = length;
        auto p = decode_ok(b);
        CHECK(p.tcp()->options.malformed);
        CHECK_FALSE(p.tcp()->options.malformed_reason.empty());
        CHECK_FALSE(p.tcp()->options.mss);
        CHECK_FALSE(p.tcp()->options.wscale);
        CHECK(p.tcp()->sport == ok.tcp()->sport);
        CHECK(p.tcp()->seq == ok.tcp()->seq);
        CHECK(p.tcp()->ack == ok.tcp()->ack);
      }
    }
  }
  SUBCASE("other protocols and ICMP that is not an error") {
    Bytes b = synack;
    b[9] = 17;
    CHECK(decode_err(b) == DecodeError::not_tcp_or_icmp);
    Bytes echo = load_hex_fixture("icmp4_port_unreach");
    echo[20] = 0;
    CHECK(decode_err(echo) == DecodeError::not_tcp_or_icmp);
    Bytes echo6 = load_hex_fixture("icmp6_port_unreach");
    echo6[40] = 129;
    CHECK(decode_err(echo6) == DecodeError::not_tcp_or_icmp);
    Bytes v4_with_icmpv6 = load_hex_fixture("icmp4_port_unreach");
    v4_with_icmpv6[9] = 58;
    CHECK(decode_err(v4_with_icmpv6) == DecodeError::not_tcp_or_icmp);
  }
}

TEST_CASE("core::flags_string") {
  CHECK(flags_string(tcp_flag::syn) == "S");
  CHECK(flags_string(tcp_flag::syn | tcp_flag::ack) == "SA");
  CHECK(flags_string(tcp_flag::rst | tcp_flag::ack) == "RA");
  CHECK(flags_string(tcp_flag::syn | tcp_flag::ece | tcp_flag::cwr) == "SEW");
  CHECK(flags_string(tcp_flag::fin | tcp_flag::psh | tcp_flag::ack) == "FPA");
  CHECK(flags_string(tcp_flag::urg | tcp_flag::ack) == "AU");
  CHECK(flags_string(tcp_flag::ae | tcp_flag::cwr | tcp_flag::ece | tcp_flag::syn) == "SEWN");
  CHECK(flags_string(0).empty());
}

TEST_CASE("core::decode_error_name") {
  CHECK(decode_error_name(DecodeError::truncated) == "truncated");
  CHECK(decode_error_name(DecodeError::bad_version) == "bad_version");
  CHECK(decode_error_name(DecodeError::bad_header) == "bad_header");
  CHECK(decode_error_name(DecodeError::fragment) == "fragment");
  CHECK(decode_error_name(DecodeError::not_tcp_or_icmp) == "not_tcp_or_icmp");
  CHECK(decode_error_name(DecodeError::bad_quote) == "bad_quote");
}

TEST_CASE("core::decode_packet agrees with libtins on the captures") {
  auto tins_tcp = [](const Bytes& b) -> std::unique_ptr<Tins::PDU> {
    if ((b[0] >> 4) == 4) return std::make_unique<Tins::IP>(b.data(), static_cast<std::uint32_t>(b.size()));
    return std::make_unique<Tins::IPv6>(b.data(), static_cast<std::uint32_t>(b.size()));
  };
  auto compare = [](const TcpHeader& ours, const Tins::TCP& theirs) {
    CHECK(ours.sport == theirs.sport());
    CHECK(ours.dport == theirs.dport());
    CHECK(ours.seq == theirs.seq());
    CHECK(ours.ack == theirs.ack_seq());
    CHECK(ours.flags == theirs.flags());
    CHECK(ours.window == theirs.window());
    CHECK(ours.options.mss.has_value() == (theirs.search_option(Tins::TCP::MSS) != nullptr));
    if (ours.options.mss) CHECK(*ours.options.mss == theirs.mss());
    CHECK(ours.options.wscale.has_value() == (theirs.search_option(Tins::TCP::WSCALE) != nullptr));
    if (ours.options.wscale) CHECK(*ours.options.wscale == theirs.winscale());
    CHECK(ours.options.sack_permitted == theirs.has_sack_permitted());
    CHECK(ours.options.timestamps.has_value() == (theirs.search_option(Tins::TCP::TSOPT) != nullptr));
    if (ours.options.timestamps) {
      CHECK(ours.options.timestamps->val == theirs.timestamp().first);
      CHECK(ours.options.timestamps->ecr == theirs.timestamp().second);
    }
    CHECK(ours.options.kinds.size() == theirs.options().size());
  };
  for (const char* name : {"synack_v4", "synack_v6", "synack_ecn_v4", "rst_v4", "rst_v6", "syn_v4", "syn_v6",
                           "syn_ecn_v4", "syn_lo_no_ts", "syn_lo_no_sack", "syn_lo_no_ws", "syn_lo_mss_ws",
                           "syn_lo_mss_only"}) {
    CAPTURE(name);
    const Bytes b = load_hex_fixture(name);
    auto pdu = tins_tcp(b);
    compare(*decode_ok(b).tcp(), pdu->rfind_pdu<Tins::TCP>());
  }
  for (const char* name : {"icmp4_port_unreach", "icmp4_admin_prohibited", "icmp4_time_exceeded",
                           "icmp6_port_unreach", "icmp6_admin_prohibited", "icmp6_time_exceeded"}) {
    CAPTURE(name);
    const Bytes b = load_hex_fixture(name);
    auto outer = tins_tcp(b);
    const Tins::RawPDU& raw = outer->rfind_pdu<Tins::RawPDU>();
    auto inner = tins_tcp(raw.payload());
    auto p = decode_ok(b);
    REQUIRE(p.icmp()->quote.tcp);
    compare(*p.icmp()->quote.tcp, inner->rfind_pdu<Tins::TCP>());
  }
}
