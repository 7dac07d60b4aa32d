#include <doctest/doctest.h>
#include <net/if.h>

#include <fstream>

#include "child_process.hpp"
#include "tcphs/io/route.hpp"

using namespace tcphs;

namespace {

core::IpAddress ip(const char* text) { return *core::IpAddress::parse(text); }

std::uint32_t sysfs_mtu(const char* dev) {
  std::ifstream in(std::string("/sys/class/net/") + dev + "/mtu");
  std::uint32_t mtu = 0;
  in >> mtu;
  return mtu;
}

}  // namespace

TEST_CASE("io::lookup_route") {
  SUBCASE("all of 127/8 is sent on lo from 127.0.0.1") {
    const auto r = io::lookup_route(ip("127.0.0.2"), std::nullopt, std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->interface == "lo");
    CHECK(r->ifindex == static_cast<int>(if_nametoindex("lo")));
    CHECK(r->source == ip("127.0.0.1"));
    CHECK_FALSE(r->gateway.has_value());
    CHECK(r->mtu == sysfs_mtu("lo"));
  }
  SUBCASE("::1") {
    const auto r = io::lookup_route(ip("::1"), std::nullopt, std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->interface == "lo");
    CHECK(r->source == ip("::1"));
    CHECK_FALSE(r->gateway.has_value());
  }
  SUBCASE("an interface and a source that fit") {
    const auto r = io::lookup_route(ip("127.0.0.2"), ip("127.0.0.1"), std::string("lo"));
    REQUIRE(r.ok());
    CHECK(r->interface == "lo");
    CHECK(r->source == ip("127.0.0.1"));
  }
  SUBCASE("a loopback source that lo does not list is still ours") {
    const auto r = io::lookup_route(ip("127.0.0.2"), ip("127.0.0.9"), std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->source == ip("127.0.0.9"));
  }
  SUBCASE("unknown interface") {
    const auto r = io::lookup_route(ip("127.0.0.2"), std::nullopt, std::string("tcphs-nosuch0"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == core::ErrorKind::usage);
    CHECK(r.error().message == "unknown interface 'tcphs-nosuch0'");
  }
  SUBCASE("a source that is not ours") {
    const auto r = io::lookup_route(ip("127.0.0.2"), ip("198.51.100.7"), std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == core::ErrorKind::usage);
    CHECK(r.error().message == "source address 198.51.100.7 is not an address of this host");
  }
  SUBCASE("a source of the other family") {
    const auto r = io::lookup_route(ip("127.0.0.2"), ip("::1"), std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == core::ErrorKind::usage);
    CHECK(r.error().message == "source address ::1 is ipv6 but 127.0.0.2 is ipv4");
  }
  SUBCASE("no route, in an empty network namespace") {
    const std::string out = test::run_in_child([] {
      if (!test::isolate_network()) return std::string("no namespace");
      std::string report;
      for (const char* dst : {"10.1.2.3", "fd00:1::3"}) {
        const auto r = io::lookup_route(ip(dst), std::nullopt, std::nullopt);
        report += r.ok() ? "routed" : std::to_string(int(r.error().kind)) + ":" + r.error().message;
        report += "|";
      }
      return report;
    });
    if (out == "no namespace") {
      MESSAGE("skipped: cannot create a network namespace here");
    } else {
      const std::string io_kind = std::to_string(int(core::ErrorKind::no_route)) + ":";
      CHECK(out == io_kind + "no route to 10.1.2.3|" + io_kind + "no route to fd00:1::3|");
    }
  }
}

TEST_CASE("io::lookup_route (lab)" * doctest::skip()) {
  const auto tio0 = static_cast<int>(if_nametoindex("tio0"));
  SUBCASE("on-link: no gateway, the device MTU") {
    const auto r = io::lookup_route(ip("10.78.1.2"), std::nullopt, std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->interface == "tio0");
    CHECK(r->ifindex == tio0);
    CHECK(r->source == ip("10.78.1.1"));
    CHECK_FALSE(r->gateway.has_value());
    CHECK(r->mtu == 1400);
    const auto r6 = io::lookup_route(ip("fd00:78:1::2"), std::nullopt, std::nullopt);
    REQUIRE(r6.ok());
    CHECK(r6->interface == "tio0");
    CHECK(r6->source == ip("fd00:78:1::1"));
    CHECK_FALSE(r6->gateway.has_value());
  }
  SUBCASE("through a gateway: the next hop and the route's MTU") {
    const auto r = io::lookup_route(ip("10.78.9.9"), std::nullopt, std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->interface == "tio0");
    CHECK(r->source == ip("10.78.1.1"));
    REQUIRE(r->gateway.has_value());
    CHECK(*r->gateway == ip("10.78.1.2"));
    CHECK(r->mtu == 1280);
    const auto r6 = io::lookup_route(ip("fd00:78:9::9"), std::nullopt, std::nullopt);
    REQUIRE(r6.ok());
    REQUIRE(r6->gateway.has_value());
    CHECK(*r6->gateway == ip("fd00:78:1::2"));
    CHECK(r6->source == ip("fd00:78:1::1"));
  }
  SUBCASE("no route, and routes that refuse") {
    for (const char* dst : {"10.99.0.1", "fd99::1", "10.78.66.1"}) {
      CAPTURE(dst);
      const auto r = io::lookup_route(ip(dst), std::nullopt, std::nullopt);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().kind == core::ErrorKind::no_route);
      CHECK(r.error().message == std::string("no route to ") + dst);
    }
    const auto blackhole = io::lookup_route(ip("10.78.67.1"), std::nullopt, std::nullopt);
    REQUIRE_FALSE(blackhole.ok());
    CHECK(blackhole.error().message == "no route to 10.78.67.1 (a blackhole route)");
    const auto prohibit = io::lookup_route(ip("10.78.68.1"), std::nullopt, std::nullopt);
    REQUIRE_FALSE(prohibit.ok());
    CHECK(prohibit.error().message == "no route to 10.78.68.1 (a prohibit route)");
  }
}
