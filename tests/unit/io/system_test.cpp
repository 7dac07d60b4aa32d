#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "child_process.hpp"
#include "tcphs/io/capture.hpp"
#include "tcphs/io/raw_sender.hpp"
#include "tcphs/io/system.hpp"

using namespace tcphs;

namespace {

core::IpAddress ip(const char* text) { return *core::IpAddress::parse(text); }

/// "CapEff:\t0000000000000000" and friends from /proc/self/status.
std::string status_lines(const std::string& keys) {
  std::ifstream in("/proc/self/status");
  std::string out;
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || keys.find(line.substr(0, colon) + ' ') == std::string::npos) continue;
    std::istringstream value(line.substr(colon + 1));
    std::string v;
    value >> v;
    out += line.substr(0, colon) + "=" + v + " ";
  }
  return out;
}

}  // namespace

TEST_CASE("io::local_port_range") {
  unsigned low = 0, high = 0;
  FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
  REQUIRE(f != nullptr);
  REQUIRE(std::fscanf(f, "%u %u", &low, &high) == 2);
  std::fclose(f);
  const auto [first, last] = io::local_port_range();
  CHECK(first == low);
  CHECK(last == high);
  CHECK(first <= last);
}

TEST_CASE("io::random_key") {
  const auto a = io::random_key();
  const auto b = io::random_key();
  CHECK(a != b);
  CHECK(std::any_of(a.begin(), a.end(), [](std::uint8_t x) { return x != 0; }));
}

TEST_CASE("io::now") {
  const auto a = io::now();
  const auto b = io::now();
  CHECK(b >= a);
}

TEST_CASE("io::resolve_host") {
  SUBCASE("a name from /etc/hosts (no DNS query)") {
    const auto r = io::resolve_host("localhost", true, false);
    REQUIRE(r.ok());
    CHECK(std::find(r->begin(), r->end(), ip("127.0.0.1")) != r->end());
    CHECK(std::all_of(r->begin(), r->end(), [](const auto& a) { return a.family == core::Family::ipv4; }));
  }
  SUBCASE("numeric addresses come back as they are") {
    const auto v4 = io::resolve_host("127.0.0.7", true, true);
    REQUIRE(v4.ok());
    CHECK(*v4 == std::vector{ip("127.0.0.7")});
    const auto v6 = io::resolve_host("::1", false, false);
    REQUIRE(v6.ok());
    CHECK(*v6 == std::vector{ip("::1")});
  }
  SUBCASE("a numeric address of an unwanted family is a usage error") {
    const auto r = io::resolve_host("::1", true, false);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == core::ErrorKind::usage);
    CHECK(r.error().message == "'::1' is an IPv6 address, but only IPv4 was asked for");
    const auto r4 = io::resolve_host("10.1.2.3", false, true);
    REQUIRE_FALSE(r4.ok());
    CHECK(r4.error().message == "'10.1.2.3' is an IPv4 address, but only IPv6 was asked for");
  }
  SUBCASE("a name that does not resolve") {
    // glibc rejects an empty label before asking DNS; the child also runs in
    // an empty network namespace where it can, so no query can leave.
    const std::string out = test::run_in_child([] {
      test::isolate_network();
      const auto r = io::resolve_host("no..such..host", true, true);
      if (r.ok()) return std::string("resolved");
      return std::string(r.error().kind == core::ErrorKind::resolve ? "resolve|" : "other|") +
             r.error().message;
    });
    CHECK(out.rfind("resolve|could not resolve 'no..such..host': ", 0) == 0);
  }
}

TEST_CASE("io::resolve_service") {
  CHECK(*io::resolve_service("https") == 443);
  CHECK(*io::resolve_service("ssh") == 22);
  CHECK(*io::resolve_service("8080") == 8080);
  const auto unknown = io::resolve_service("no-such-service");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().kind == core::ErrorKind::usage);
  CHECK(unknown.error().message == "unknown service 'no-such-service'");
  for (const char* bad : {"0", "65536", "99999999999"}) {
    CAPTURE(bad);
    const auto r = io::resolve_service(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == std::string("port ") + bad + " is out of range (1-65535)");
  }
}

TEST_CASE("io::have_net_raw") {
  const bool have = io::have_net_raw();
  const int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  CHECK(have == (fd >= 0));
  if (fd >= 0) close(fd);
}

TEST_CASE("io::drop_all_capabilities") {
  const bool root = geteuid() == 0;
  const std::string out = test::run_in_child([] {
    std::string report = "before: " + status_lines("CapEff ") + "| ";
    const auto dropped = io::drop_all_capabilities();
    report += dropped.ok() ? "drop=ok " : "drop=" + dropped.error().message + " ";
    report += status_lines("CapInh CapPrm CapEff CapAmb CapBnd NoNewPrivs ");
    report += io::have_net_raw() ? "have_net_raw=1 " : "have_net_raw=0 ";
    const auto sender = io::open_raw_sender(core::Family::ipv4, std::nullopt);
    report += sender.ok()
                  ? "raw=opened "
                  : "raw=" + std::to_string(int(sender.error().kind)) + ":" + sender.error().message + " ";
    const auto capture = io::open_capture({.interface = "lo", .filter = "tcp"});
    report += capture.ok()
                  ? "capture=opened"
                  : "capture=" + std::to_string(int(capture.error().kind)) + ":" + capture.error().message;
    return report;
  });
  CAPTURE(out);
  if (root)
    CHECK(out.find("before: CapEff=0000000000000000") == std::string::npos);  // there was something to drop
  CHECK(out.find("drop=ok ") != std::string::npos);
  for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapAmb"})
    CHECK(out.find(std::string(set) + "=0000000000000000 ") != std::string::npos);
  if (root) CHECK(out.find("CapBnd=0000000000000000 ") != std::string::npos);
  CHECK(out.find("NoNewPrivs=1 ") != std::string::npos);
  CHECK(out.find("have_net_raw=0 ") != std::string::npos);
  const std::string permission = std::to_string(int(core::ErrorKind::permission)) + ":";
  CHECK(out.find("raw=" + permission + "cannot open a raw IPv4 socket (Operation not permitted); " +
                 std::string(io::net_raw_hint)) != std::string::npos);
  CHECK(out.find("capture=" + permission + "cannot capture on lo (permission denied); " +
                 std::string(io::net_raw_hint)) != std::string::npos);
}

