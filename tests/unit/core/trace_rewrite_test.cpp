#include "tcphs/core/trace_rewrite.hpp"

#include <doctest/doctest.h>

#include "tcphs/core/syn.hpp"

using namespace tcphs::core;

namespace {

using Strings = std::vector<std::string>;

SynSpec spec(Family f = Family::ipv4) {
  SynSpec s;
  s.flow = f == Family::ipv4
               ? FlowKey{IpAddress::v4(10, 77, 1, 2), IpAddress::v4(10, 77, 3, 2), 61000, 7010}
               : FlowKey{*IpAddress::parse("fd00:77:1::2"), *IpAddress::parse("fd00:77:3::2"), 61000, 7010};
  s.seq = 0x01020304;
  return s;
}

/// The crafted SYN, decoded: both what we sent and, edited, what a hop quoted.
Packet decoded(const SynSpec& s) {
  auto d = decode_packet(craft_syn(s));
  REQUIRE(std::holds_alternative<Packet>(d));
  return std::get<Packet>(d);
}

SentSyn sent_of(const SynSpec& s) {
  const Packet p = decoded(s);
  return SentSyn{s.flow.remote.family, *p.tcp(), s.tos, s.flow_label};
}

IcmpQuote quote_of(const SynSpec& s) {
  const Packet p = decoded(s);
  IcmpQuote q;
  q.src = p.src;
  q.dst = p.dst;
  q.protocol = 6;
  q.ttl = 1;
  q.tos = p.tos;
  q.flow_label = p.flow_label;
  q.sport = p.tcp()->sport;
  q.dport = p.tcp()->dport;
  q.seq = p.tcp()->seq;
  q.tcp = *p.tcp();
  return q;
}

}  // namespace

TEST_CASE("core::compare_quote") {
  const SynSpec s = spec();
  const SentSyn sent = sent_of(s);

  SUBCASE("a quote of the SYN as sent shows no change") {
    auto c = compare_quote(sent, quote_of(s));
    CHECK(c.tcp_compared);
    CHECK(c.changes().empty());
  }
  SUBCASE("a quote whose TSval and sequence differ (another probe) is still unchanged") {
    SynSpec other = s;
    other.seq = 0x0a0b0c0d;
    other.ts_val = 77;
    CHECK(compare_quote(sent, quote_of(other)).changes().empty());
  }
  SUBCASE("MSS clamped") {
    auto q = quote_of(s);
    q.tcp->options.mss = 1200;
    CHECK(compare_quote(sent, q).tcp_changes == Strings{"mss 1460->1200"});
  }
  SUBCASE("options turned into NOPs by a firewall") {
    SynSpec stripped = s;
    stripped.options.wscale.reset();
    stripped.options.sack_permitted = false;
    stripped.options.timestamps = false;
    CHECK(compare_quote(sent, quote_of(stripped)).tcp_changes ==
          Strings{"wscale stripped", "sack_permitted stripped", "timestamps stripped"});
  }
  SUBCASE("an option added on the way, and the MSS option removed") {
    auto q = quote_of(s);
    q.tcp->options.mss.reset();
    q.tcp->options.kinds.push_back(30);
    CHECK(compare_quote(sent, q).tcp_changes == Strings{"mss stripped", "option 30 added"});
  }
  SUBCASE("sent without MSS, quoted with one") {
    SynSpec none = s;
    none.options.mss.reset();
    auto q = quote_of(none);
    q.tcp->options.mss = 536;
    CHECK(compare_quote(sent_of(none), q).tcp_changes == Strings{"mss 536 added"});
  }
  SUBCASE("ECN setup flags cleared, and the window changed") {
    SynSpec ecn = s;
    ecn.ecn = true;
    CHECK(compare_quote(sent_of(ecn), quote_of(s)).tcp_changes == Strings{"ece cleared", "cwr cleared"});
    auto q = quote_of(s);
    q.tcp->window = 8192;
    CHECK(compare_quote(sent, q).tcp_changes == Strings{"window 64240->8192"});
  }
  SUBCASE("DSCP and ECN codepoint rewritten in the IP header") {
    SynSpec marked = s;
    marked.tos = 0xb8 | 2;  // EF, ECT(0)
    auto q = quote_of(marked);
    q.tos = 0;
    auto c = compare_quote(sent_of(marked), q);
    CHECK(c.ip_changes == Strings{"dscp 46->0", "ecn 2->0"});
    CHECK(c.tcp_changes.empty());
  }
  SUBCASE("a short quote (8 TCP bytes) compares the IP header only") {
    auto q = quote_of(s);
    q.tcp.reset();
    q.tos = 0x20;
    auto c = compare_quote(sent, q);
    CHECK_FALSE(c.tcp_compared);
    CHECK(c.changes() == Strings{"dscp 0->8"});
  }
  SUBCASE("a quoted option area that no longer parses") {
    auto q = quote_of(s);
    q.tcp->options.malformed = true;
    CHECK(compare_quote(sent, q).tcp_changes == Strings{"options malformed"});
  }
  SUBCASE("IPv6 flow label rewritten") {
    const SynSpec v6 = spec(Family::ipv6);
    auto q = quote_of(v6);
    q.flow_label = 0x12345;
    CHECK(compare_quote(sent_of(v6), q).ip_changes == Strings{"flow label 0x0->0x12345"});
  }
}
