#include <doctest/doctest.h>
#include <pcap/dlt.h>

#include <algorithm>

#include "lab_support.hpp"
#include "support/packets.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/raw_sender.hpp"

using namespace tcphs;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("io::link_header_length") {
  Bytes eth(14 + 20, 0);
  eth[12] = 0x08;  // IPv4
  CHECK(io::link_header_length(DLT_EN10MB, eth) == 14u);
  eth[12] = 0x86;
  eth[13] = 0xdd;  // IPv6
  CHECK(io::link_header_length(DLT_EN10MB, eth) == 14u);
  eth[12] = 0x08;
  eth[13] = 0x06;  // ARP
  CHECK_FALSE(io::link_header_length(DLT_EN10MB, eth).has_value());

  Bytes vlan(18 + 20, 0);
  vlan[12] = 0x81;
  vlan[16] = 0x08;  // 802.1Q tag, then IPv4
  CHECK(io::link_header_length(DLT_EN10MB, vlan) == 18u);
  CHECK_FALSE(io::link_header_length(DLT_EN10MB, std::span(vlan).first(16)).has_value());
  CHECK_FALSE(io::link_header_length(DLT_EN10MB, std::span(eth).first(13)).has_value());

  Bytes sll(16 + 20, 0);
  sll[14] = 0x86;
  sll[15] = 0xdd;
  CHECK(io::link_header_length(DLT_LINUX_SLL, sll) == 16u);
  sll[15] = 0x00;
  CHECK_FALSE(io::link_header_length(DLT_LINUX_SLL, sll).has_value());

  Bytes sll2(20 + 20, 0);
  sll2[0] = 0x08;
  CHECK(io::link_header_length(DLT_LINUX_SLL2, sll2) == 20u);
  CHECK_FALSE(io::link_header_length(DLT_LINUX_SLL2, std::span(sll2).first(19)).has_value());

  const Bytes ip(20, 0x45);
  CHECK(io::link_header_length(DLT_RAW, ip) == 0u);
  CHECK(io::link_header_length(DLT_IPV4, ip) == 0u);
  CHECK(io::link_header_length(DLT_IPV6, ip) == 0u);
  CHECK(io::link_header_length(DLT_NULL, ip) == 4u);
  CHECK(io::link_header_length(DLT_LOOP, ip) == 4u);
  CHECK_FALSE(io::link_header_length(DLT_IEEE802_11, ip).has_value());
}

TEST_CASE("io::open_capture") {
  const auto r = io::open_capture({.interface = "tcphs-nosuch0", .filter = "tcp"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == core::ErrorKind::usage);
  CHECK(r.error().message == "unknown interface 'tcphs-nosuch0'");
}

namespace {

/// Sends one SYN from `src`:`sport` to `dst` port 9 (closed: the answer is an
/// RST) and returns what a capture on `dev` saw of it, our SYN included.
std::vector<test::lab::Frame> syn_and_answer(const char* dev, const char* src, const char* dst,
                                             std::uint16_t sport) {
  using namespace test::lab;
  const auto s = ip(src), d = ip(dst);
  auto capture = io::open_capture({.interface = dev, .filter = "tcp port " + std::to_string(sport)});
  REQUIRE(capture.ok());
  auto sender = io::open_raw_sender(d.family, std::nullopt);
  REQUIRE(sender.ok());
  const Bytes packet = test::tcp_packet(s, d, sport, 9, 0x12345678, 0, syn);
  const io::OutPacket out{d, packet};
  REQUIRE((*sender)->send({&out, 1})->sent == 1u);
  auto frames = collect(**capture, [&](const auto& got) { return count(got, d, rst) >= 1; });
  // A second copy of our SYN, if there were one, is in the ring before the
  // RST it caused: one more drain sees it without waiting.
  const auto late = collect(**capture, [](const auto&) { return true; });
  frames.insert(frames.end(), late.begin(), late.end());
  return frames;
}

}  // namespace

TEST_CASE("io::open_capture (lab)" * doctest::skip()) {
  using namespace test::lab;
  SUBCASE("on a veth our outgoing SYN is seen, then the peer's RST") {
    for (const auto& [src, dst] :
         {std::pair{"10.78.1.1", "10.78.1.2"}, std::pair{"fd00:78:1::1", "fd00:78:1::2"}}) {
      CAPTURE(dst);
      const auto frames = syn_and_answer("tio0", src, dst, 61001);
      CHECK(count(frames, ip(src), syn) == 1);
      CHECK(count(frames, ip(dst), rst) == 1);
      REQUIRE(frames.size() == 2);
      CHECK(frames[0].src() == ip(src));
      CHECK(frames[0].stamp_ns < frames[1].stamp_ns);
      CHECK(frames[1].stamp_ns - frames[0].stamp_ns < 1'000'000'000);
    }
  }
  SUBCASE("on lo our SYN is seen once (the looped-back copy), then the RST") {
    for (const char* addr : {"127.0.0.1", "::1"}) {
      CAPTURE(addr);
      const auto frames = syn_and_answer("lo", addr, addr, 61002);
      REQUIRE(frames.size() == 2);
      CHECK(frames[0].flags() == syn);
      CHECK((frames[1].flags() & rst) == rst);
      CHECK(frames[0].stamp_ns <= frames[1].stamp_ns);
    }
  }
  SUBCASE("stamps are nanoseconds since the epoch, in capture order") {
    const auto before = std::chrono::system_clock::now().time_since_epoch();
    const auto frames = syn_and_answer("tio0", "10.78.1.1", "10.78.1.2", 61003);
    const auto after = std::chrono::system_clock::now().time_since_epoch();
    REQUIRE_FALSE(frames.empty());
    CHECK(frames.front().stamp_ns >= std::chrono::duration_cast<std::chrono::nanoseconds>(before).count());
    CHECK(frames.back().stamp_ns <= std::chrono::duration_cast<std::chrono::nanoseconds>(after).count());
    CHECK(std::is_sorted(frames.begin(), frames.end(),
                         [](const auto& a, const auto& b) { return a.stamp_ns < b.stamp_ns; }));
  }
  SUBCASE("stats count what passed the filter") {
    auto capture = io::open_capture({.interface = "tio0", .filter = "tcp port 61004"});
    REQUIRE(capture.ok());
    auto sender = io::open_raw_sender(core::Family::ipv4, std::nullopt);
    REQUIRE(sender.ok());
    const Bytes packet = test::tcp_packet(ip("10.78.1.1"), ip("10.78.1.2"), 61004, 9, 1, 0, syn);
    const io::OutPacket out{ip("10.78.1.2"), packet};
    REQUIRE((*sender)->send({&out, 1})->sent == 1u);
    const auto frames = collect(**capture, [](const auto& got) { return got.size() >= 2; });
    CHECK(frames.size() == 2);
    CHECK((*capture)->stats().received == 2);
    CHECK((*capture)->stats().dropped == 0);
  }
}
