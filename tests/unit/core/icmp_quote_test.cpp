#include <doctest/doctest.h>

#include "support/packet_fixtures.hpp"
#include "tcphs/core/packet.hpp"

using namespace tcphs::core;
using namespace tcphs::test;

TEST_CASE("core::decode_packet ICMP errors") {
  SUBCASE("ICMPv4 port unreachable quoting a SYN") {
    auto p = decode_ok(load_hex_fixture("icmp4_port_unreach"));
    CHECK(p.src == addr("10.77.1.254"));
    CHECK(p.tos == 0xc0);
    const IcmpError* e = p.icmp();
    REQUIRE(e);
    CHECK(e->type == 3);
    CHECK(e->code == 3);
    CHECK(e->quote.src == addr("10.77.1.1"));
    CHECK(e->quote.dst == addr("10.77.2.1"));
    CHECK(e->quote.protocol == 6);
    CHECK(e->quote.ttl == 63);
    CHECK(e->quote.ip_id == 0xa77c);
    CHECK(e->quote.sport == 0xb7c8);
    CHECK(e->quote.dport == 8082);
    CHECK(e->quote.seq == 0xfb727f85u);
    REQUIRE(e->quote.tcp);
    CHECK(e->quote.tcp->flags == tcp_flag::syn);
    CHECK(describe_options(e->quote.tcp->options) == "mss 1460,sack,ts 2109602157/0,nop,wscale 10");
  }
  SUBCASE("ICMPv4 administratively prohibited (3/13)") {
    auto p = decode_ok(load_hex_fixture("icmp4_admin_prohibited"));
    CHECK(p.icmp()->type == 3);
    CHECK(p.icmp()->code == 13);
    CHECK(p.icmp()->quote.dport == 8083);
    CHECK(p.icmp()->quote.seq == 0x26005dfdu);
  }
  SUBCASE("ICMPv4 time exceeded with the whole SYN quoted") {
    auto p = decode_ok(load_hex_fixture("icmp4_time_exceeded"));
    CHECK(p.icmp()->type == 11);
    CHECK(p.icmp()->code == 0);
    CHECK(p.icmp()->quote.ttl == 1);
    REQUIRE(p.icmp()->quote.tcp);
    CHECK(p.icmp()->quote.tcp->seq == 0x5b9761a6u);
    CHECK(p.icmp()->quote.tcp->options.mss == 1460);
    CHECK(p.icmp()->quote.tcp->payload_len == 0);
  }
  SUBCASE("ICMPv6 port unreachable (1/4) and administratively prohibited (1/1)") {
    auto pu = decode_ok(load_hex_fixture("icmp6_port_unreach"));
    CHECK(pu.src == addr("fd00:77:1::fe"));
    CHECK(pu.icmp()->type == 1);
    CHECK(pu.icmp()->code == 4);
    CHECK(pu.icmp()->quote.dst == addr("fd00:77:2::1"));
    CHECK(pu.icmp()->quote.flow_label == 0xb9c7b);
    CHECK(pu.icmp()->quote.sport == 0xb86e);
    CHECK(pu.icmp()->quote.seq == 0xfcb6ce5du);
    REQUIRE(pu.icmp()->quote.tcp);
    CHECK(pu.icmp()->quote.tcp->options.mss == 1440);
    auto ap = decode_ok(load_hex_fixture("icmp6_admin_prohibited"));
    CHECK(ap.icmp()->type == 1);
    CHECK(ap.icmp()->code == 1);
    CHECK(ap.icmp()->quote.dport == 8083);
  }
  SUBCASE("ICMPv6 time exceeded") {
    auto p = decode_ok(load_hex_fixture("icmp6_time_exceeded"));
    CHECK(p.icmp()->type == 3);
    CHECK(p.icmp()->quote.ttl == 1);
    CHECK(p.icmp()->quote.tcp);
  }
  SUBCASE("a quote of exactly 8 TCP bytes gives ports and seq, no header") {
    Bytes b = load_hex_fixture("icmp4_port_unreach");
    b.resize(20 + 8 + 20 + 8);
    put16(b, 2, static_cast<std::uint16_t>(b.size()));
    auto p = decode_ok(b);
    CHECK(p.icmp()->quote.sport == 0xb7c8);
    CHECK(p.icmp()->quote.seq == 0xfb727f85u);
    CHECK_FALSE(p.icmp()->quote.tcp);
  }
  SUBCASE("an RFC 4884 length bounds the quote") {
    Bytes b = load_hex_fixture("icmp4_time_exceeded");
    b[20 + 5] = 7;  // 28 bytes: the IP header and 8 TCP bytes; the rest is "extensions"
    auto p = decode_ok(b);
    CHECK(p.icmp()->quote.seq == 0x5b9761a6u);
    CHECK_FALSE(p.icmp()->quote.tcp);
  }
  SUBCASE("an IPv6 quote with extension headers of its own") {
    Bytes b = with_ext_headers(load_hex_fixture("icmp6_port_unreach"), 48, {pad_n8}, {0});
    put16(b, 4, static_cast<std::uint16_t>(b.size() - 40));
    auto p = decode_ok(b);
    CHECK(p.icmp()->quote.sport == 0xb86e);
    REQUIRE(p.icmp()->quote.tcp);
    CHECK(p.icmp()->quote.tcp->options.mss == 1440);
  }
}

TEST_CASE("core::decode_packet malformed ICMP quotes") {
  SUBCASE("an ICMP error quoting UDP") {
    CHECK(decode_err(load_hex_fixture("icmp4_port_unreach_udp")) == DecodeError::not_tcp_or_icmp);
  }
  SUBCASE("truncated ICMP quotes") {
    const Bytes full = load_hex_fixture("icmp4_port_unreach");
    for (std::size_t quoted : {0u, 12u, 19u, 20u, 27u}) {
      CAPTURE(quoted);
      Bytes b(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(28 + quoted));
      put16(b, 2, static_cast<std::uint16_t>(b.size()));
      CHECK(decode_err(b) == DecodeError::bad_quote);
      b.insert(b.end(), 8, 0);  // Ethernet padding is not part of the quote
      CHECK(decode_err(b) == DecodeError::bad_quote);
    }
    Bytes header_only(full.begin(), full.begin() + 24);
    put16(header_only, 2, 24);
    CHECK(decode_err(header_only) == DecodeError::truncated);
  }
  SUBCASE("an IPv6 quote cut inside its extension header or its first 8 TCP bytes") {
    Bytes b = with_ext_headers(load_hex_fixture("icmp6_port_unreach"), 48, {pad_n8}, {0});
    Bytes cut_ext(b.begin(), b.begin() + 48 + 40 + 4);
    put16(cut_ext, 4, static_cast<std::uint16_t>(cut_ext.size() - 40));
    CHECK(decode_err(cut_ext) == DecodeError::bad_quote);
    Bytes cut_tcp(b.begin(), b.begin() + 48 + 48 + 7);
    put16(cut_tcp, 4, static_cast<std::uint16_t>(cut_tcp.size() - 40));
    CHECK(decode_err(cut_tcp) == DecodeError::bad_quote);
  }
  SUBCASE("a quote of the other family, or of a later fragment") {
    Bytes b = load_hex_fixture("icmp4_port_unreach");
    b[28] = 0x65;
    CHECK(decode_err(b) == DecodeError::bad_quote);
    Bytes f = load_hex_fixture("icmp4_port_unreach");
    put16(f, 28 + 6, 0x0008);
    CHECK(decode_err(f) == DecodeError::fragment);
  }
}
