#include "tcphs/core/trace_hop.hpp"

#include <doctest/doctest.h>

#include "support/packets.hpp"
#include "tcphs/core/engine.hpp"

using namespace tcphs;
using core::Family;
using core::HopReplyKind;
using core::IpAddress;

namespace {

const IpAddress kLocal = IpAddress::v4(10, 77, 1, 2);
const IpAddress kTarget = IpAddress::v4(10, 77, 3, 2);
const IpAddress kRouter1 = IpAddress::v4(10, 77, 1, 1);
const IpAddress kRouter2 = IpAddress::v4(10, 77, 2, 2);
const core::Instant t0{std::chrono::seconds(50)};

core::CookieKey key() {
  std::array<std::uint8_t, 16> k{};
  for (int i = 0; i < 16; ++i) k[i] = static_cast<std::uint8_t>(3 * i + 5);
  return core::CookieKey(k);
}

core::SentSyn sent_of(const core::SynSpec& s) {
  auto d = core::decode_packet(core::craft_syn(s));
  return core::SentSyn{s.flow.remote.family, *std::get<core::Packet>(d).tcp(), s.tos, s.flow_label};
}

std::uint32_t seq_of(const std::vector<std::uint8_t>& ipv4_syn) {
  const auto* p = ipv4_syn.data() + 20 + 4;
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

TEST_CASE("core::hop_reply: Paris probes on one 5-tuple, told apart by sequence number") {
  core::EngineConfig cfg;
  cfg.retries = 0;
  core::Engine engine(cfg, key());
  core::SynSpec syn;
  syn.flow = {kLocal, kTarget, 62000, 7010};
  for (std::uint8_t ttl = 1; ttl <= 3; ++ttl) {
    syn.ttl = ttl;
    core::ProbeRequest request;
    request.number = ttl;
    request.syn = syn;
    request.due = t0;
    engine.add(request);
  }
  const core::SentSyn sent = sent_of(syn);
  auto sends = engine.take_sends(t0);
  REQUIRE(sends.size() == 3);
  // In TTL order (byte 8 of the IPv4 header): three SYNs, one per TTL.
  std::sort(sends.begin(), sends.end(), [](auto& a, auto& b) { return a.packet[8] < b.packet[8]; });
  for (std::size_t i = 0; i < 3; ++i) CHECK(sends[i].packet[8] == i + 1);
  CHECK(seq_of(sends[0].packet) != seq_of(sends[1].packet));

  // Router2 quotes the SYN with its MSS clamped to 1200 (bytes 42..43: the
  // MSS value after the IPv4 and TCP headers); it answers before router1.
  auto clamped = sends[1].packet;
  clamped[42] = 1200 >> 8;
  clamped[43] = 1200 & 0xff;
  engine.on_packet(test::icmp_error(kRouter2, kLocal, 11, 0, clamped), {2'000, core::StampSource::capture});
  engine.on_packet(test::icmp_error(kRouter1, kLocal, 11, 0, sends[0].packet), {1'000, core::StampSource::capture});
  engine.on_packet(test::tcp_packet(kTarget, kLocal, 7010, 62000, 99, seq_of(sends[2].packet) + 1, 0x12),
                   {3'000, core::StampSource::capture});
  auto results = engine.take_results();
  REQUIRE(results.size() == 3);
  std::sort(results.begin(), results.end(), [](auto& a, auto& b) { return a.number < b.number; });

  const auto h1 = core::hop_reply(results[0], sent);
  CHECK(h1.kind == HopReplyKind::time_exceeded);
  CHECK(h1.from == kRouter1);
  REQUIRE(h1.quote);
  CHECK(h1.quote->tcp_compared);
  CHECK(h1.quote->changes().empty());
  const auto h2 = core::hop_reply(results[1], sent);
  CHECK(h2.from == kRouter2);
  REQUIRE(h2.quote);
  CHECK(h2.quote->changes() == std::vector<std::string>{"mss 1460->1200"});
  REQUIRE(h2.quoted_options);
  CHECK(h2.quoted_options->mss == 1200);
  const auto h3 = core::hop_reply(results[2], sent);
  CHECK(h3.kind == HopReplyKind::tcp);
  CHECK(h3.from == kTarget);
  CHECK(h3.outcome == core::Outcome::open);
  CHECK(h3.tcp_flags == 0x12);
  CHECK_FALSE(h3.quote);
}

TEST_CASE("core::hop_reply: silence, and rejections that are not time exceeded") {
  core::ProbeResult timeout;
  timeout.outcome = core::Outcome::timeout;
  const auto none = core::hop_reply(timeout, {});
  CHECK(none.kind == HopReplyKind::none);
  CHECK_FALSE(none.from);

  core::ProbeResult admin;
  admin.outcome = core::Outcome::filtered;
  admin.icmp = core::IcmpInfo{1, 1, *IpAddress::parse("fd00:77:3::2"), {}};
  const auto r = core::hop_reply(admin, {});
  CHECK(r.kind == HopReplyKind::icmp);
  CHECK(r.icmp_type == 1);
  REQUIRE(r.quote);
  CHECK_FALSE(r.quote->tcp_compared);
  CHECK_FALSE(r.quoted_options);
}

TEST_CASE("core::Hop") {
  core::Hop h{4, std::vector<core::HopReply>(3)};
  CHECK(h.silent());
  CHECK_FALSE(h.final());
  CHECK(h.addresses().empty());
  h.queries[1].kind = HopReplyKind::time_exceeded;
  h.queries[1].from = kRouter2;
  h.queries[2].kind = HopReplyKind::time_exceeded;
  h.queries[2].from = kRouter1;
  CHECK_FALSE(h.silent());
  CHECK_FALSE(h.final());
  CHECK(h.addresses() == std::vector<IpAddress>{kRouter2, kRouter1});
  h.queries[0].kind = HopReplyKind::tcp;
  h.queries[0].from = kTarget;
  CHECK(h.final());
  CHECK(h.final_reply() == &h.queries[0]);
}

TEST_CASE("core::is_time_exceeded") {
  CHECK(core::is_time_exceeded(Family::ipv4, 11));
  CHECK_FALSE(core::is_time_exceeded(Family::ipv4, 3));
  CHECK(core::is_time_exceeded(Family::ipv6, 3));
  CHECK_FALSE(core::is_time_exceeded(Family::ipv6, 11));
}

TEST_CASE("core::icmp_marker") {
  CHECK(core::icmp_marker(Family::ipv4, 3, 1) == "!H");
  CHECK(core::icmp_marker(Family::ipv4, 3, 0) == "!N");
  CHECK(core::icmp_marker(Family::ipv4, 3, 13) == "!X");
  CHECK(core::icmp_marker(Family::ipv4, 3, 10) == "!X");
  CHECK(core::icmp_marker(Family::ipv4, 3, 4) == "!F");
  CHECK(core::icmp_marker(Family::ipv4, 3, 3) == "");
  CHECK(core::icmp_marker(Family::ipv4, 3, 20) == "!20");
  CHECK(core::icmp_marker(Family::ipv4, 11, 0) == "");
  CHECK(core::icmp_marker(Family::ipv6, 1, 0) == "!N");
  CHECK(core::icmp_marker(Family::ipv6, 1, 1) == "!X");
  CHECK(core::icmp_marker(Family::ipv6, 1, 3) == "!H");
  CHECK(core::icmp_marker(Family::ipv6, 1, 4) == "");
  CHECK(core::icmp_marker(Family::ipv6, 3, 0) == "");
}

TEST_CASE("core::icmp_description") {
  CHECK(core::icmp_description(Family::ipv4, 3, 13) == "administratively prohibited (3/13)");
  CHECK(core::icmp_description(Family::ipv4, 3, 1) == "host unreachable (3/1)");
  CHECK(core::icmp_description(Family::ipv4, 11, 0) == "time exceeded (11/0)");
  CHECK(core::icmp_description(Family::ipv4, 3, 99) == "destination unreachable (3/99)");
  CHECK(core::icmp_description(Family::ipv6, 1, 3) == "address unreachable (1/3)");
  CHECK(core::icmp_description(Family::ipv6, 1, 1) == "administratively prohibited (1/1)");
  CHECK(core::icmp_description(Family::ipv6, 3, 0) == "time exceeded (3/0)");
  CHECK(core::icmp_description(Family::ipv6, 2, 0) == "packet too big (2/0)");
}
