#include <doctest/doctest.h>

#include "lab_support.hpp"
#include "support/packets.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/raw_sender.hpp"

using namespace tcphs;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("io::open_raw_sender") {
  // The permission error is checked in io::drop_all_capabilities, where the
  // child has provably no capabilities.
  const auto r = io::open_raw_sender(core::Family::ipv4, std::string("tcphs-nosuch0"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == core::ErrorKind::usage);
  CHECK(r.error().message == "unknown interface 'tcphs-nosuch0'");
}

TEST_CASE("io::open_raw_sender (lab)" * doctest::skip()) {
  using namespace test::lab;
  SUBCASE("batches larger than one sendmmsg all go out") {
    constexpr std::uint16_t first_port = 62000, n = 150;
    auto capture = io::open_capture(
        {.interface = "tio0", .filter = "tcp and portrange 62000-62149", .buffer_bytes = 8 << 20});
    REQUIRE(capture.ok());
    auto sender = io::open_raw_sender(core::Family::ipv4, std::string("tio0"));
    REQUIRE(sender.ok());
    std::vector<Bytes> packets;
    std::vector<io::OutPacket> out;
    for (std::uint16_t i = 0; i < n; ++i)
      packets.push_back(
          test::tcp_packet(ip("10.78.1.1"), ip("10.78.1.2"), first_port + i, 9, 1000u + i, 0, syn));
    for (const auto& p : packets) out.push_back({ip("10.78.1.2"), p});
    const auto sent = (*sender)->send(out);
    REQUIRE(sent.ok());
    CHECK(sent->sent == n);
    CHECK_FALSE(sent->refused);
    const auto frames =
        collect(**capture, [&](const auto& got) { return count(got, ip("10.78.1.2"), rst) >= n; });
    CHECK(count(frames, ip("10.78.1.1"), syn) == n);
    CHECK(count(frames, ip("10.78.1.2"), rst) == n);
  }
  SUBCASE("a local firewall refusing the packet is a refusal naming it, with nothing sent") {
    for (const char* dst : {"10.78.1.3", "fd00:78:1::3"}) {
      CAPTURE(dst);
      const auto d = ip(dst);
      auto sender = io::open_raw_sender(d.family, std::nullopt);
      REQUIRE(sender.ok());
      const Bytes p = test::tcp_packet(ip(d.family == core::Family::ipv4 ? "10.78.1.1" : "fd00:78:1::1"), d,
                                       62500, 9, 1, 0, syn);
      const io::OutPacket out{d, p};
      const auto r = (*sender)->send({&out, 1});
      REQUIRE(r.ok());
      CHECK(r->sent == 0u);
      REQUIRE(r->refused);
      CHECK(r->refused->kind == core::ErrorKind::local_firewall);
      CHECK(r->refused->message ==
            std::string("sending to ") + dst + " was refused by a local firewall (EPERM)");
    }
  }
  SUBCASE("a socket bound to a device sends through it, whatever the routes say") {
    // The kernel treats a destination it has no route for on the bound
    // device as on-link: the SYN leaves on lo (and dies there), not on tio0.
    auto on_lo = io::open_capture({.interface = "lo", .filter = "tcp port 62501"});
    auto on_tio0 = io::open_capture({.interface = "tio0", .filter = "tcp port 62501"});
    REQUIRE(on_lo.ok());
    REQUIRE(on_tio0.ok());
    auto sender = io::open_raw_sender(core::Family::ipv4, std::string("lo"));
    REQUIRE(sender.ok());
    const Bytes p = test::tcp_packet(ip("10.78.1.1"), ip("10.78.1.2"), 62501, 9, 1, 0, syn);
    const io::OutPacket out{ip("10.78.1.2"), p};
    REQUIRE((*sender)->send({&out, 1})->sent == 1u);
    const auto lo_frames = collect(**on_lo, [](const auto& got) { return !got.empty(); });
    CHECK(count(lo_frames, ip("10.78.1.1"), syn) == 1);
    const auto tio0_frames = collect(**on_tio0, [](const auto&) { return true; });
    CHECK(tio0_frames.empty());
  }
}
