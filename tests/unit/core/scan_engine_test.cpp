#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "support/packets.hpp"
#include "tcphs/core/scan_engine.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

const core::IpAddress kLocal = core::IpAddress::v4(10, 77, 1, 2);
const core::IpAddress kRemote = core::IpAddress::v4(10, 77, 3, 2);
constexpr std::uint16_t kSport = 61000;
const core::Instant t0{std::chrono::seconds(1000)};

core::CookieKey key() {
  std::array<std::uint8_t, 16> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return core::CookieKey(k);
}

core::ScanEngine make(std::vector<std::uint16_t> ports, double rate = 1000, std::uint32_t retries = 1) {
  core::ScanConfig cfg;
  cfg.ports = std::move(ports);
  cfg.rate = rate;
  cfg.retries = retries;
  cfg.wait = {20ms, 1s, 3.0};
  cfg.order_seed = 5;
  core::ScanHost host;
  host.syn.flow = {kLocal, kRemote, kSport, 0};
  auto e = core::ScanEngine::make(cfg, key(), {host}, t0);
  REQUIRE(e.ok());
  return std::move(e).value();
}

core::Stamp stamp(core::Duration since_t0) { return {1'700'000'000'000'000'000 + since_t0.count(), core::StampSource::capture}; }

/// Takes and confirms every SYN due at `now`; returns their decoded TCP headers.
std::vector<core::TcpHeader> send(core::ScanEngine& e, core::Instant now, std::size_t accept = SIZE_MAX) {
  std::array<core::ScanSend, 64> buf;
  const std::size_t n = e.take_sends(now, buf);
  std::vector<core::TcpHeader> out;
  for (std::size_t i = 0; i < n && i < accept; ++i) {
    auto d = core::decode_packet(buf[i].packet());
    REQUIRE(std::holds_alternative<core::Packet>(d));
    CHECK(buf[i].dst == kRemote);
    out.push_back(*std::get<core::Packet>(d).tcp());
  }
  e.sent(std::min(n, accept), now, {stamp(now - t0).ns, core::StampSource::user});
  return out;
}

std::vector<std::uint8_t> reply(std::uint16_t port, std::uint32_t ack, std::uint16_t flags) {
  return test::tcp_packet(kRemote, kLocal, port, kSport, 12345, ack, flags, 62);
}

constexpr std::uint16_t SA = core::tcp_flag::syn | core::tcp_flag::ack;
constexpr std::uint16_t RA = core::tcp_flag::rst | core::tcp_flag::ack;

}  // namespace

TEST_CASE("core::ScanEngine::make") {
  core::ScanHost host;
  host.syn.flow = {kLocal, kRemote, kSport, 0};
  core::ScanConfig cfg;
  CHECK(core::ScanEngine::make(cfg, key(), {host}, t0).error().message == "scan: no ports to scan");
  cfg.ports = {80};
  CHECK_FALSE(core::ScanEngine::make(cfg, key(), {}, t0).ok());
  cfg.retries = 2;
  CHECK(core::ScanEngine::make(cfg, key(), {host}, t0).error().message == "--retries 2: a scan retransmits at most once");
  cfg.retries = 1;
  cfg.rate = 0;
  CHECK_FALSE(core::ScanEngine::make(cfg, key(), {host}, t0).ok());
  cfg.rate = 1000;
  host.syn.flow.local = core::IpAddress{};
  CHECK_FALSE(core::ScanEngine::make(cfg, key(), {host}, t0).ok());
}

TEST_CASE("core::ScanEngine::take_sends") {
  SUBCASE("every port once, with its cookie, at the rate") {
    std::vector<std::uint16_t> ports;
    for (std::uint16_t p = 1; p <= 100; ++p) ports.push_back(p);
    auto e = make(ports, 1000);  // burst 5
    std::set<std::uint16_t> seen;
    auto first = send(e, t0);
    CHECK(first.size() == 5);
    const auto one = send(e, t0 + 1ms);
    CHECK(one.size() == 1);
    for (const auto& t : one) seen.insert(t.dport);
    for (int ms = 2; ms <= 100; ++ms)
      for (const auto& t : send(e, t0 + std::chrono::milliseconds(ms))) {
        CHECK(t.sport == kSport);
        CHECK(t.seq == e.cookie(0, t.dport, 1));
        CHECK(seen.insert(t.dport).second);
      }
    for (const auto& t : first) seen.insert(t.dport);
    CHECK(seen.size() == 100);  // 5 at once, then one a millisecond
    CHECK(e.counters().first_sent == 100);
    CHECK_FALSE(std::equal(first.begin(), first.begin() + 3, ports.begin(),
                           [](const auto& t, std::uint16_t p) { return t.dport == p; }));  // shuffled
  }
  SUBCASE("a SYN the kernel did not take is offered again") {
    auto e = make({10, 20, 30}, 1000);
    auto first = send(e, t0, 1);
    REQUIRE(first.size() == 1);
    auto again = send(e, t0);
    CHECK(again.size() == 2);
    std::set<std::uint16_t> all{first[0].dport};
    for (const auto& t : again) all.insert(t.dport);
    CHECK(all == std::set<std::uint16_t>{10, 20, 30});
    CHECK(e.counters().first_sent == 3);
  }
}

TEST_CASE("core::ScanEngine: several hosts, IPv4 and IPv6, share one rate budget") {
  const core::IpAddress local6 = *core::IpAddress::parse("fd00:77:1::2");
  const core::IpAddress remote6 = *core::IpAddress::parse("fd00:77:3::2");
  core::ScanConfig cfg;
  for (std::uint16_t p = 1; p <= 100; ++p) cfg.ports.push_back(p);
  cfg.rate = 1000;  // burst 5: five at once, then one a millisecond, for both hosts together
  cfg.wait = {20ms, 1s, 3.0};
  core::ScanHost v4, v6;
  v4.syn.flow = {kLocal, kRemote, kSport, 0};
  v6.syn.flow = {local6, remote6, kSport, 0};
  auto made = core::ScanEngine::make(cfg, key(), {v4, v6}, t0);
  REQUIRE(made.ok());
  auto e = std::move(made).value();
  CHECK(e.total() == 200);
  std::array<core::ScanSend, 64> buf;
  std::set<std::pair<std::size_t, std::uint16_t>> seen;  // (host, port)
  auto step = [&](core::Instant now) {
    const std::size_t n = e.take_sends(now, buf);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t host = buf[i].dst == kRemote ? 0 : 1;
      CHECK((host == 0 || buf[i].dst == remote6));
      auto d = core::decode_packet(buf[i].packet());
      REQUIRE(std::holds_alternative<core::Packet>(d));
      const auto& tcp = *std::get<core::Packet>(d).tcp();
      CHECK(tcp.seq == e.cookie(host, tcp.dport, 1));
      CHECK(seen.insert({host, tcp.dport}).second);
    }
    e.sent(n, now, {stamp(now - t0).ns, core::StampSource::user});
  };
  for (int ms = 0; ms <= 95; ++ms) step(t0 + std::chrono::milliseconds(ms));
  // 5 + 95 SYNs in 95 ms: the rate is for both hosts, not for each.
  CHECK(seen.size() == 100);
  const auto to_v6 = std::count_if(seen.begin(), seen.end(), [](const auto& s) { return s.first == 1; });
  CHECK(to_v6 > 10);   // keyed order interleaves the hosts
  CHECK(to_v6 < 90);
  for (int ms = 96; ms <= 200; ++ms) step(t0 + std::chrono::milliseconds(ms));
  CHECK(seen.size() == 200);
  CHECK(e.counters().first_sent == 200);
}

TEST_CASE("core::ScanEngine::on_packet") {
  auto e = make({22, 80, 443, 8080});
  const auto sent = send(e, t0);
  REQUIRE(sent.size() == 4);
  // Our SYN for port 80 as the capture saw it: its stamp becomes the TX time.
  auto own = test::tcp_packet(kLocal, kRemote, kSport, 80, e.cookie(0, 80, 1), 0, core::tcp_flag::syn);
  e.on_packet(own, stamp(1ms));
  CHECK(e.counters().own_syns == 1);

  e.on_packet(reply(80, e.cookie(0, 80, 1) + 1, SA), stamp(1ms + 40us));
  e.on_packet(reply(22, e.cookie(0, 22, 1) + 1, RA), stamp(2ms));
  e.on_packet(reply(443, e.cookie(0, 443, 1), RA), stamp(2ms));          // ack = ISN, not ISN+1
  e.on_packet(reply(8080, e.cookie(0, 8080, 2) + 1, SA), stamp(2ms));    // an attempt never sent
  e.on_packet(test::tcp_packet(core::IpAddress::v4(10, 77, 3, 3), kLocal, 443, kSport, 1,
                               e.cookie(0, 443, 1) + 1, RA),
              stamp(2ms));  // right ack, wrong host
  e.on_packet(reply(80, e.cookie(0, 80, 1) + 1, SA), stamp(3ms));       // a duplicate
  const auto& t = e.table();
  CHECK(t.outcome(e.slot(0, 1)) == core::Outcome::open);
  CHECK(t.rtt_ns(e.slot(0, 1)).value_or(-1) == 40'000);
  CHECK(t.outcome(e.slot(0, 0)) == core::Outcome::refused);
  // An RST's sequence number is not an ISN: only a SYN-ACK carries one.
  REQUIRE(t.result(e.slot(0, 0)));
  REQUIRE(t.result(e.slot(0, 0))->reply);
  CHECK_FALSE(t.result(e.slot(0, 0))->reply->isn);
  REQUIRE(t.result(e.slot(0, 1))->reply);
  CHECK(t.result(e.slot(0, 1))->reply->isn);
  CHECK_FALSE(t.done(e.slot(0, 2)));
  CHECK_FALSE(t.done(e.slot(0, 3)));
  CHECK(e.counters().answered == 2);
  CHECK(e.counters().duplicates == 1);
  CHECK(e.counters().ignored == 3);

  // ICMP errors quoting our SYN: admin-prohibited, port unreachable.
  std::array<core::ScanSend, 64> buf;
  auto syn_to = [&](std::uint16_t port) {
    return test::tcp_packet(kLocal, kRemote, kSport, port, e.cookie(0, port, 1), 0, core::tcp_flag::syn);
  };
  e.on_packet(test::icmp_error(kRemote, kLocal, 3, 13, syn_to(443)), stamp(4ms));
  e.on_packet(test::icmp_error(kRemote, kLocal, 3, 3, syn_to(8080), 28), stamp(4ms));
  CHECK(t.outcome(e.slot(0, 2)) == core::Outcome::filtered);
  CHECK(t.outcome(e.slot(0, 3)) == core::Outcome::refused);
  auto r = t.result(e.slot(0, 2));
  REQUIRE(r);
  REQUIRE(r->icmp);
  CHECK(r->icmp->type == 3);
  CHECK(r->icmp->code == 13);
  CHECK(r->icmp->from == kRemote);
  CHECK(e.done());
  CHECK(e.take_sends(t0 + 10s, buf) == 0);
}

TEST_CASE("core::ScanEngine retransmission and timeout") {
  auto e = make({7003, 7007}, 1000, 1);
  REQUIRE(send(e, t0).size() == 2);
  // Before any RTT is known the wait is the ceiling (1 s).
  e.expire(t0 + 999ms);
  CHECK(send(e, t0 + 999ms).empty());
  const auto next = e.next_deadline(t0 + 999ms);
  REQUIRE(next);
  CHECK(*next >= t0 + 1s);
  CHECK(*next <= t0 + 1001ms);
  auto retries = send(e, t0 + 1s);
  REQUIRE(retries.size() == 2);
  for (const auto& t : retries) CHECK(t.seq == e.cookie(0, t.dport, 2));
  CHECK(e.counters().retransmitted == 2);
  // 7007 answers the retransmission; 7003 stays silent.
  e.on_packet(reply(7007, e.cookie(0, 7007, 2) + 1, SA), stamp(1s + 30us));
  auto r = e.table().result(e.slot(0, 1));
  REQUIRE(r);
  CHECK(r->attempt == 2);
  CHECK(r->rtt_ns == 30'000);
  // The RTT now known (30 µs) makes the wait the floor: 20 ms after the last SYN.
  e.expire(t0 + 1s + 19ms);
  CHECK_FALSE(e.done());
  e.expire(t0 + 1s + 20ms);
  CHECK(e.done());
  auto to = e.table().result(e.slot(0, 0));
  REQUIRE(to);
  CHECK(to->outcome == core::Outcome::timeout);
  CHECK(to->attempt == 2);
  CHECK_FALSE(e.next_deadline(t0 + 2s));
}

TEST_CASE("core::ScanEngine without retries") {
  auto e = make({1, 2}, 1000, 0);
  REQUIRE(send(e, t0).size() == 2);
  CHECK(send(e, t0 + 1s).empty());
  e.expire(t0 + 1s);
  CHECK(e.done());
  CHECK(e.table().result(e.slot(0, 0))->attempt == 1);
}

TEST_CASE("core::ScanEngine back-off") {
  std::vector<std::uint16_t> ports;
  for (std::uint16_t p = 1; p <= 40; ++p) ports.push_back(p);
  SUBCASE("capture drops halve the rate, once per burst") {
    auto e = make(ports, 8000);
    e.on_capture_drops(0, 100, t0);
    CHECK_FALSE(e.results_may_be_wrong());
    e.on_capture_drops(12, 200, t0);
    CHECK(e.rate() == 4000);
    e.on_capture_drops(20, 300, t0 + 50ms);  // same burst
    CHECK(e.rate() == 4000);
    e.on_capture_drops(30, 400, t0 + 200ms);
    CHECK(e.rate() == 2000);
    CHECK(e.counters().capture_drops == 30);
    CHECK(e.results_may_be_wrong());
    const auto notes = e.take_notes();
    REQUIRE(notes.size() == 2);
    CHECK(notes[0] == "the capture dropped 12 packets: rate lowered from 8000 to 4000 pps");
  }
  SUBCASE("a few drops among many packets are noted, and the rate stays") {
    auto e = make(ports, 8000);
    e.on_capture_drops(0, 1000, t0);
    e.on_capture_drops(3, 11000, t0 + 50ms);
    CHECK(e.rate() == 8000);
    CHECK(e.results_may_be_wrong());
    CHECK(e.take_notes() == std::vector<std::string>{"the capture dropped 3 of 10003 packets"});
  }
  SUBCASE("ICMP answers that come only on the retransmission") {
    auto e = make(ports, 100000);
    REQUIRE(send(e, t0).size() == 40);
    REQUIRE(send(e, t0 + 1s).size() == 40);
    for (std::uint16_t p = 1; p <= 40; ++p) {
      auto syn = test::tcp_packet(kLocal, kRemote, kSport, p, e.cookie(0, p, 2), 0, core::tcp_flag::syn);
      e.on_packet(test::icmp_error(kRemote, kLocal, 3, 3, syn), stamp(1s + 100us));
    }
    CHECK(e.counters().icmp_on_retry == 40);
    CHECK(e.results_may_be_wrong());
    std::array<core::ScanSend, 64> buf;
    e.take_sends(t0 + 1s + 1ms, buf);
    e.sent(0, t0 + 1s + 1ms, {stamp(1s).ns, core::StampSource::user});
    CHECK(e.rate() == 50000);
    const auto notes = e.take_notes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("ICMP errors look rate limited") != std::string::npos);
  }
}
