#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "tcphs/core/scan_order.hpp"
#include "tcphs/core/scan_ports.hpp"

using namespace tcphs;

TEST_CASE("core::top_ports") {
  SUBCASE("the ranking starts with nmap's most common ports") {
    const auto ranked = core::ranked_tcp_ports();
    REQUIRE(ranked.size() == core::top_ports_available);
    CHECK(std::vector<std::uint16_t>(ranked.begin(), ranked.begin() + 5) ==
          std::vector<std::uint16_t>{80, 23, 443, 21, 22});
    CHECK(std::set<std::uint16_t>(ranked.begin(), ranked.end()).size() == ranked.size());
  }
  SUBCASE("top 10, ascending") {
    auto ports = core::top_ports(10);
    REQUIRE(ports.ok());
    CHECK(*ports == std::vector<std::uint16_t>{21, 22, 23, 25, 80, 110, 139, 443, 445, 3389});
  }
  SUBCASE("top 1000 is the whole table, sorted") {
    auto ports = core::top_ports(1000);
    REQUIRE(ports.ok());
    CHECK(ports->size() == 1000);
    CHECK(std::is_sorted(ports->begin(), ports->end()));
    CHECK(std::binary_search(ports->begin(), ports->end(), std::uint16_t{3306}));
  }
  SUBCASE("out of range") {
    CHECK(core::top_ports(0).error().message == "--top 0: must be 1..1000 (the shipped ranking's size)");
    CHECK(core::top_ports(1001).error().kind == core::ErrorKind::usage);
  }
}

TEST_CASE("core::ScanOrder") {
  SUBCASE("every size gives a permutation") {
    for (std::uint64_t n : {0ULL, 1ULL, 2ULL, 3ULL, 7ULL, 1000ULL, 65535ULL, 65536ULL, 65537ULL}) {
      CAPTURE(n);
      core::ScanOrder order(n, 42);
      std::vector<bool> seen(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        const auto slot = order.at(i);
        REQUIRE(slot < n);
        CHECK_FALSE(seen[slot]);
        seen[slot] = true;
      }
    }
  }
  SUBCASE("shuffled, and the seed matters") {
    core::ScanOrder a(65535, 1), b(65535, 2);
    std::size_t in_place = 0, same = 0;
    for (std::uint64_t i = 0; i < 65535; ++i) {
      in_place += a.at(i) == i;
      same += a.at(i) == b.at(i);
    }
    CHECK(in_place < 100);
    CHECK(same < 100);
  }
}
