#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tcphs/io/reverse_name.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

/// True when /etc/hosts names 127.0.0.1, so getnameinfo answers from the
/// file: without it the lookup would ask the configured name server, and
/// unit tests send nothing off this host.
bool hosts_names_loopback() {
  std::ifstream hosts("/etc/hosts");
  std::string line;
  while (std::getline(hosts, line)) {
    std::istringstream words(line);
    std::string addr, name;
    if (words >> addr >> name && addr == "127.0.0.1") return true;
  }
  return false;
}

}  // namespace

/// The lookups run on threads of their own (one per address), which may
/// outlive the call; under ThreadSanitizer (build-tsan) this is the test
/// that races in that hand-over would fail.
TEST_CASE("io::reverse_names: concurrent lookups of 127.0.0.1 from several callers") {
  if (!hosts_names_loopback()) {
    MESSAGE("skipped: /etc/hosts does not name 127.0.0.1 (a lookup would leave this host)");
    return;
  }
  const auto lo = *core::IpAddress::parse("127.0.0.1");
  const std::vector<core::IpAddress> addrs(8, lo);

  SUBCASE("every caller gets every name, in order") {
    constexpr int callers = 4;
    std::vector<std::vector<std::optional<std::string>>> got(callers);
    std::vector<std::thread> threads;
    for (int c = 0; c < callers; ++c)
      threads.emplace_back([&, c] { got[c] = io::reverse_names(addrs, 5s); });
    for (auto& t : threads) t.join();
    for (const auto& names : got) {
      REQUIRE(names.size() == addrs.size());
      for (const auto& name : names) {
        REQUIRE(name.has_value());
        CHECK(*name == *got[0][0]);
      }
    }
    CHECK_FALSE(got[0][0]->empty());
  }
  SUBCASE("a zero budget returns at once; the lookups left running finish on their own") {
    for (int round = 0; round < 20; ++round) {
      const auto start = std::chrono::steady_clock::now();
      const auto names = io::reverse_names(addrs, 0ms);
      CHECK(names.size() == addrs.size());
      CHECK(std::chrono::steady_clock::now() - start < 1s);
    }
    // A later call still answers in full while those threads wind down.
    const auto names = io::reverse_names(addrs, 5s);
    for (const auto& name : names) CHECK(name.has_value());
  }
}
