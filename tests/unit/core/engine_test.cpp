#include "tcphs/core/engine.hpp"

#include <doctest/doctest.h>

#include "support/packets.hpp"

using namespace tcphs;
using namespace std::chrono_literals;
using core::IpAddress;

namespace {

const IpAddress kLocal = IpAddress::v4(10, 1, 0, 1);
const IpAddress kRemote = IpAddress::v4(10, 3, 0, 2);
const IpAddress kRouter = IpAddress::v4(10, 1, 0, 254);
constexpr std::uint16_t kSport = 61234, kDport = 8080;
const core::Instant t0{std::chrono::seconds(100)};

core::CookieKey test_key() {
  std::array<std::uint8_t, 16> k{};
  for (int i = 0; i < 16; ++i) k[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return core::CookieKey(k);
}

core::ProbeRequest request(const IpAddress& local = kLocal, const IpAddress& remote = kRemote) {
  core::ProbeRequest r;
  r.syn.flow = core::FlowKey{local, remote, kSport, kDport};
  r.due = t0;
  return r;
}

core::Stamp at_us(std::int64_t us) { return {us * 1000, core::StampSource::capture}; }

/// Feeds the capture's copy of a sent SYN, as the kernel would show it.
void capture_own(core::Engine& e, const core::Send& s, std::int64_t us) { e.on_packet(s.packet, at_us(us)); }

std::vector<std::uint8_t> reply(std::uint32_t ack, std::uint16_t flags, std::uint16_t sport = kDport,
                                std::uint16_t dport = kSport, const IpAddress& from = kRemote) {
  return test::tcp_packet(from, kLocal, sport, dport, 0xC0FFEE, ack, flags);
}

std::uint32_t sent_seq(const core::Send& s) {
  // The TCP sequence number sits at bytes 4..7 after a 20-byte IPv4 header.
  const auto* p = s.packet.data() + 20 + 4;
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

TEST_CASE("core::Engine open: RTT from the kernel stamps of our SYN and the SYN-ACK") {
  core::Engine e({}, test_key());
  e.add(request());
  auto sends = e.take_sends(t0);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].attempt == 1);
  CHECK(sends[0].dst == kRemote);
  // The user clock says something else entirely: it must not be used.
  e.on_sent(sends[0].id, 1, core::Stamp{999'000, core::StampSource::user});
  capture_own(e, sends[0], 5'000);
  e.on_packet(reply(sent_seq(sends[0]) + 1, 0x12), at_us(5'041));
  auto results = e.take_results();
  REQUIRE(results.size() == 1);
  const auto& r = results[0];
  CHECK(r.outcome == core::Outcome::open);
  CHECK(r.attempt == 1);
  REQUIRE(r.rtt_ns);
  CHECK(*r.rtt_ns == 41'000);
  CHECK(r.rtt_source == core::StampSource::capture);
  REQUIRE(r.reply);
  CHECK(r.reply->isn == 0xC0FFEEu);
  CHECK(r.reply->options.mss == 1460);
  CHECK(r.reply->options.wscale == 7);
  CHECK(e.done());
}

TEST_CASE("core::Engine retransmits at 1 s, 2 s, then times out at 7 s") {
  core::Engine e({}, test_key());
  e.add(request());
  REQUIRE(e.take_sends(t0).size() == 1);
  CHECK(e.next_deadline() == t0 + 1s);
  CHECK(e.take_sends(t0 + 999ms).empty());
  auto second = e.take_sends(t0 + 1s);
  REQUIRE(second.size() == 1);
  CHECK(second[0].attempt == 2);
  CHECK(e.next_deadline() == t0 + 3s);
  auto third = e.take_sends(t0 + 3s);
  REQUIRE(third.size() == 1);
  CHECK(third[0].attempt == 3);
  CHECK(e.next_deadline() == t0 + 7s);
  CHECK(e.take_sends(t0 + 6999ms).empty());
  CHECK_FALSE(e.done());
  CHECK(e.take_sends(t0 + 7s).empty());
  auto results = e.take_results();
  REQUIRE(results.size() == 1);
  CHECK(results[0].outcome == core::Outcome::timeout);
  CHECK(results[0].attempt == 3);
  CHECK_FALSE(results[0].rtt_ns);
  CHECK(e.done());
}

TEST_CASE("core::Engine SYN lost: the answer to attempt 2 is timed from attempt 2") {
  core::Engine e({}, test_key());
  e.add(request());
  auto first = e.take_sends(t0);
  capture_own(e, first[0], 1'000);
  auto second = e.take_sends(t0 + 1s);
  capture_own(e, second[0], 1'001'000);
  CHECK(sent_seq(first[0]) != sent_seq(second[0]));
  e.on_packet(reply(sent_seq(second[0]) + 1, 0x12), at_us(1'001'250));
  auto results = e.take_results();
  REQUIRE(results.size() == 1);
  CHECK(results[0].attempt == 2);
  CHECK(*results[0].rtt_ns == 250'000);
}

TEST_CASE("core::Engine ignores forged replies") {
  core::Engine e({}, test_key());
  e.add(request());
  auto s = e.take_sends(t0);
  const std::uint32_t isn = sent_seq(s[0]);
  capture_own(e, s[0], 0);
  e.on_packet(reply(isn, 0x12), at_us(10));                 // ack off by one
  e.on_packet(reply(isn + 2, 0x12), at_us(10));             // ack off by one the other way
  e.on_packet(reply(isn + 1, 0x12, 9999), at_us(10));       // wrong source port
  e.on_packet(reply(isn + 1, 0x12, kDport, 1), at_us(10));  // wrong destination port
  e.on_packet(reply(isn + 1, 0x14, kDport, kSport, IpAddress::v4(10, 3, 0, 3)), at_us(10));  // wrong host
  e.on_packet(reply(0, 0x04), at_us(10));                   // RST with ack 0
  e.on_packet(reply(isn + 1, 0x10), at_us(10));             // a bare ACK decides nothing
  auto other = test::tcp_packet(kLocal, kRemote, kSport, kDport, isn + 77, 0, 0x02);
  e.on_packet(test::icmp_error(kRouter, kLocal, 3, 13, other), at_us(10));  // quotes another seq
  e.on_packet(test::icmp_error(kRouter, kLocal, 3, 13, s[0].packet, 20 + 6), at_us(10));  // quote too short
  CHECK(e.take_results().empty());
  CHECK(e.counters().ignored == 8);
  CHECK(e.counters().undecodable == 1);
  e.on_packet(reply(isn + 1, 0x14), at_us(20));
  auto results = e.take_results();
  REQUIRE(results.size() == 1);
  CHECK(results[0].outcome == core::Outcome::refused);
  // An RST's sequence number is not an ISN (JSON prints null, not 0).
  REQUIRE(results[0].reply);
  CHECK_FALSE(results[0].reply->isn);
}

TEST_CASE("core::Engine classifies ICMP errors through the quote") {
  struct Row {
    std::uint8_t type, code;
    core::Outcome outcome;
  };
  for (Row row : {Row{3, 13, core::Outcome::filtered}, Row{3, 3, core::Outcome::refused},
                  Row{3, 1, core::Outcome::unreachable}, Row{11, 0, core::Outcome::unreachable}}) {
    CAPTURE(int(row.type));
    CAPTURE(int(row.code));
    core::Engine e({}, test_key());
    e.add(request());
    auto s = e.take_sends(t0);
    capture_own(e, s[0], 0);
    e.on_packet(test::icmp_error(kRouter, kLocal, row.type, row.code, s[0].packet, 28), at_us(300));
    auto results = e.take_results();
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == row.outcome);
    REQUIRE(results[0].icmp);
    CHECK(results[0].icmp->from == kRouter);
    CHECK(*results[0].rtt_ns == 300'000);
  }
}

TEST_CASE("core::Engine IPv6: SYN-ACK and ICMPv6 admin-prohibited") {
  const auto local = *IpAddress::parse("fd00:1::1");
  const auto remote = *IpAddress::parse("fd00:3::2");
  core::Engine e({}, test_key());
  e.add(request(local, remote));
  auto r2 = request(local, remote);
  r2.syn.flow.local_port = kSport + 1;
  e.add(r2);
  auto s = e.take_sends(t0);
  REQUIRE(s.size() == 2);
  auto seq_at = [](const core::Send& x) {
    const auto* p = x.packet.data() + 40 + 4;
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
  };
  e.on_packet(test::tcp_packet(remote, local, kDport, kSport, 5, seq_at(s[0]) + 1, 0x12), at_us(1));
  e.on_packet(test::icmp_error(*IpAddress::parse("fd00:1::fe"), local, 1, 1, s[1].packet), at_us(2));
  auto results = e.take_results();
  REQUIRE(results.size() == 2);
  CHECK(results[0].outcome == core::Outcome::open);
  CHECK(results[1].outcome == core::Outcome::filtered);
  // No capture of our SYN: the RTT falls back to nothing rather than guessing.
  CHECK_FALSE(results[0].rtt_ns);
}

TEST_CASE("core::Engine falls back to the user clock only when the capture missed our SYN") {
  core::Engine e({}, test_key());
  e.add(request());
  auto s = e.take_sends(t0);
  e.on_sent(s[0].id, 1, core::Stamp{1'000'000, core::StampSource::user});
  e.on_packet(reply(sent_seq(s[0]) + 1, 0x12), at_us(1'500));
  auto r = e.take_results();
  REQUIRE(r.size() == 1);
  CHECK(*r[0].rtt_ns == 500'000);
  CHECK(r[0].rtt_source == core::StampSource::user);
}

TEST_CASE("core::Engine -W caps retransmissions and the verdict") {
  core::EngineConfig cfg;
  cfg.total_timeout = 1500ms;
  core::Engine e(cfg, test_key());
  e.add(request());
  REQUIRE(e.take_sends(t0).size() == 1);
  REQUIRE(e.take_sends(t0 + 1s).size() == 1);
  CHECK(e.next_deadline() == t0 + 1500ms);
  CHECK(e.take_sends(t0 + 1500ms).empty());
  auto r = e.take_results();
  REQUIRE(r.size() == 1);
  CHECK(r[0].outcome == core::Outcome::timeout);
  CHECK(r[0].attempt == 2);
}

TEST_CASE("core::Engine per-probe timing overrides the engine's config for that probe only") {
  core::Engine e({}, test_key());  // defaults: RTO 1 s, 2 retries, no -W
  core::EngineConfig quick;
  quick.rto = 200ms;
  quick.retries = 1;
  core::EngineConfig capped;
  capped.total_timeout = 1500ms;
  auto second = request();
  second.syn.flow.local_port = kSport + 1;
  auto third = request();
  third.syn.flow.local_port = kSport + 2;
  const auto quick_id = e.add(request(), quick);
  e.add(second, capped);
  e.add(third);
  REQUIRE(e.take_sends(t0).size() == 3);
  CHECK(e.next_deadline() == t0 + 200ms);
  auto resend = e.take_sends(t0 + 200ms);
  REQUIRE(resend.size() == 1);  // only the quick probe retransmits this early
  CHECK(resend[0].id == quick_id);
  CHECK(resend[0].attempt == 2);
  CHECK(e.take_sends(t0 + 599ms).empty());
  CHECK(e.take_results().empty());
  CHECK(e.take_sends(t0 + 600ms).empty());  // 200 ms + 400 ms: its one retry is spent
  auto r = e.take_results();
  REQUIRE(r.size() == 1);
  CHECK(r[0].outcome == core::Outcome::timeout);
  CHECK(r[0].attempt == 2);
  CHECK(r[0].flow.local_port == kSport);
  REQUIRE(e.take_sends(t0 + 1s).size() == 2);  // the other two follow the 1 s RTO
  CHECK(e.take_sends(t0 + 1500ms).empty());
  r = e.take_results();
  REQUIRE(r.size() == 1);  // -W ended only the capped one
  CHECK(r[0].flow.local_port == kSport + 1);
  CHECK(r[0].attempt == 2);
  CHECK_FALSE(e.done());
  CHECK(e.next_deadline() == t0 + 3s);
}

TEST_CASE("core::Engine paces probes and ignores replies after the verdict") {
  core::Engine e({}, test_key());
  auto a = request();
  auto b = request();
  b.number = 2;
  b.due = t0 + 200ms;
  e.add(a);
  e.add(b);
  auto first = e.take_sends(t0);
  REQUIRE(first.size() == 1);
  CHECK(e.next_deadline() == t0 + 200ms);
  auto second = e.take_sends(t0 + 200ms);
  REQUIRE(second.size() == 1);
  // Same flow (a fixed source port), yet distinct sequence numbers.
  CHECK(sent_seq(first[0]) != sent_seq(second[0]));
  e.on_packet(reply(sent_seq(second[0]) + 1, 0x12), at_us(1));
  e.on_packet(reply(sent_seq(second[0]) + 1, 0x12), at_us(2));  // duplicate
  auto r = e.take_results();
  REQUIRE(r.size() == 1);
  CHECK(r[0].number == 2);
  CHECK(e.counters().ignored == 1);
}

TEST_CASE("core::Engine ECN SYN-ACK still opens and reports agreement") {
  core::Engine e({}, test_key());
  e.add(request());
  auto s = e.take_sends(t0);
  e.on_packet(reply(sent_seq(s[0]) + 1, 0x12 | 0x40), at_us(1));
  auto r = e.take_results();
  REQUIRE(r.size() == 1);
  CHECK(r[0].outcome == core::Outcome::open);
  CHECK(r[0].reply->ecn);
}

TEST_CASE("core::Engine SYN-ACKs whose flags are not exactly SYN|ACK") {
  // RFC 3168 §6.1.1: an ECN-setup SYN-ACK has ECE and not CWR; any other
  // mix is a plain SYN-ACK. Extra flags do not stop it opening; RST wins.
  struct Row {
    std::uint16_t flags;
    core::Outcome outcome;
    bool ecn;
  };
  const Row rows[] = {
      {0x12 | 0x40, core::Outcome::open, true},            // SYN ACK ECE
      {0x12 | 0x40 | 0x80, core::Outcome::open, false},    // SYN ACK ECE CWR
      {0x12 | 0x80, core::Outcome::open, false},           // SYN ACK CWR
      {0x12 | 0x100 | 0x40, core::Outcome::open, true},    // SYN ACK AE ECE (AccECN)
      {0x12 | 0x08, core::Outcome::open, false},           // SYN ACK PSH
      {0x12 | 0x04, core::Outcome::refused, false},        // SYN ACK RST
  };
  for (const Row& row : rows) {
    CAPTURE(row.flags);
    core::Engine e({}, test_key());
    e.add(request());
    auto s = e.take_sends(t0);
    e.on_packet(reply(sent_seq(s[0]) + 1, row.flags), at_us(1));
    auto r = e.take_results();
    REQUIRE(r.size() == 1);
    CHECK(r[0].outcome == row.outcome);
    REQUIRE(r[0].reply);
    CHECK(r[0].reply->flags == row.flags);
    CHECK(r[0].reply->ecn == row.ecn);
  }
}
