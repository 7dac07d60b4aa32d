#include <doctest/doctest.h>

#include "tcphs/core/packet.hpp"
#include "tcphs/core/scan_table.hpp"
#include "tcphs/core/scan_template.hpp"

using namespace tcphs;

namespace {

core::SynSpec spec_for(core::Family f, bool timestamps) {
  core::SynSpec s;
  if (f == core::Family::ipv4) {
    s.flow = {core::IpAddress::v4(10, 77, 1, 2), core::IpAddress::v4(10, 77, 3, 2), 61234, 0};
  } else {
    s.flow = {*core::IpAddress::parse("fd00:77:1::2"), *core::IpAddress::parse("fd00:77:3::2"), 61234, 0};
  }
  s.options.timestamps = timestamps;
  return s;
}

}  // namespace

TEST_CASE("core::internet_checksum") {
  // RFC 1071 §3's example: the words 0001 f203 f4f5 f6f7 sum to ddf2.
  const std::uint8_t words[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(core::internet_checksum(words) == static_cast<std::uint16_t>(~0xddf2));
  const std::uint8_t odd[] = {0x01};
  CHECK(core::internet_checksum(odd) == static_cast<std::uint16_t>(~0x0100));
}

TEST_CASE("core::SynTemplate") {
  for (auto family : {core::Family::ipv4, core::Family::ipv6}) {
    for (bool ts : {true, false}) {
      CAPTURE(static_cast<int>(family));
      CAPTURE(ts);
      const core::SynSpec base = spec_for(family, ts);
      auto t = core::SynTemplate::make(base);
      REQUIRE(t);
      // The patched bytes equal a SYN crafted from scratch by libtins.
      core::SynSpec full = base;
      full.flow.remote_port = 8443;
      full.seq = 0xdeadbeef;
      full.ts_val = 0x01020304;
      const auto expected = core::craft_syn(full);
      std::array<std::uint8_t, core::max_syn_bytes> out{};
      const std::size_t n = t->write(8443, 0xdeadbeef, 0x01020304, out);
      REQUIRE(n == expected.size());
      CHECK(std::vector<std::uint8_t>(out.begin(), out.begin() + n) == expected);
      // A second port through the same template decodes to what was asked.
      const std::size_t m = t->write(22, 7, 9, out);
      auto decoded = core::decode_packet({out.data(), m});
      const auto* p = std::get_if<core::Packet>(&decoded);
      REQUIRE(p);
      REQUIRE(p->tcp());
      CHECK(p->tcp()->dport == 22);
      CHECK(p->tcp()->sport == 61234);
      CHECK(p->tcp()->seq == 7);
      CHECK(p->tcp()->flags == core::tcp_flag::syn);
      CHECK(p->tcp()->options.timestamps.has_value() == ts);
      if (ts) CHECK(p->tcp()->options.timestamps->val == 9);
    }
  }
  SUBCASE("a spec craft_syn refuses gives no template") {
    core::SynSpec bad = spec_for(core::Family::ipv4, true);
    bad.flow.local = core::IpAddress{};
    CHECK_FALSE(core::SynTemplate::make(bad));
  }
}

TEST_CASE("core::ScanTable") {
  core::ScanTable table(4);
  CHECK(table.attempts(0) == 0);
  table.add_attempt(1);
  table.set_tx(1, 1, {1'000'000, core::StampSource::user});
  table.set_tx(1, 1, {1'000'100, core::StampSource::capture});  // the capture's stamp wins
  table.set_tx(1, 1, {1'000'200, core::StampSource::capture});  // but only once (lo shows a SYN twice)
  CHECK(table.attempts(1) == 1);
  CHECK_FALSE(table.done(1));
  core::TcpHeader t;
  t.flags = core::tcp_flag::syn | core::tcp_flag::ack;
  t.seq = 99;
  t.window = 1000;
  t.options.mss = 1460;
  const auto rtt = table.finish(1, core::Outcome::open, 1, {1'050'100, core::StampSource::capture},
                                core::CompactReply::from_tcp(t, 62));
  REQUIRE(rtt);
  CHECK(*rtt == 50'000);
  auto r = table.result(1);
  REQUIRE(r);
  CHECK(r->outcome == core::Outcome::open);
  CHECK(r->attempt == 1);
  CHECK(r->rtt_ns == 50'000);
  CHECK(r->rtt_source == core::StampSource::capture);
  REQUIRE(r->reply);
  CHECK(r->reply->isn == 99u);
  CHECK(r->reply->ttl == 62);
  CHECK(r->reply->options.mss == 1460);
  CHECK_FALSE(r->reply->options.wscale);

  SUBCASE("unsend takes an attempt back") {
    table.add_attempt(2);
    table.add_attempt(2);
    table.unsend(2);
    CHECK(table.attempts(2) == 1);
  }
  SUBCASE("timeout after two attempts, with no RTT") {
    table.add_attempt(3);
    table.add_attempt(3);
    table.finish_timeout(3);
    auto to = table.result(3);
    REQUIRE(to);
    CHECK(to->outcome == core::Outcome::timeout);
    CHECK(to->attempt == 2);
    CHECK_FALSE(to->rtt_ns);
  }
  SUBCASE("ICMP senders are interned") {
    const auto a = core::IpAddress::v4(10, 77, 2, 2), b = core::IpAddress::v4(10, 77, 3, 2);
    CHECK(table.icmp_sender(a) == 0);
    CHECK(table.icmp_sender(b) == 1);
    CHECK(table.icmp_sender(a) == 0);
  }
  CHECK_FALSE(table.result(0));
}
