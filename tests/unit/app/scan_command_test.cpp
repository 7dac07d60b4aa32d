#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tcphs/app/scan_command.hpp"

using namespace tcphs;

namespace {

/// Parses `scan ARGS...` into options the way main() does.
app::ScanOptions parse(std::vector<std::string> args) {
  CLI::App cli{"test"};
  app::ScanOptions o;
  app::add_scan_command(cli, o);
  args.insert(args.begin(), "scan");
  std::reverse(args.begin(), args.end());
  cli.parse(args);
  return o;
}

}  // namespace

TEST_CASE("app::scan_ports") {
  SUBCASE("-p- is every port") {
    auto ports = app::scan_ports(parse({"-p-", "10.0.0.1"}));
    REQUIRE(ports.ok());
    CHECK(ports->size() == 65535);
    CHECK(ports->front() == 1);
    CHECK(ports->back() == 65535);
  }
  SUBCASE("a list") {
    auto ports = app::scan_ports(parse({"-p", "443,22,8000-8002", "10.0.0.1"}));
    REQUIRE(ports.ok());
    CHECK(*ports == std::vector<std::uint16_t>{22, 443, 8000, 8001, 8002});
  }
  SUBCASE("default: the 1000 most common") {
    auto ports = app::scan_ports(parse({"10.0.0.1"}));
    REQUIRE(ports.ok());
    CHECK(ports->size() == 1000);
  }
  SUBCASE("--top") {
    auto ports = app::scan_ports(parse({"--top", "3", "10.0.0.1"}));
    REQUIRE(ports.ok());
    CHECK(*ports == std::vector<std::uint16_t>{23, 80, 443});
    CHECK(app::scan_ports(parse({"--top", "0", "h"})).error().message == "--top 0: must be at least 1");
  }
  SUBCASE("-p and --top exclude each other") {
    CHECK_THROWS_AS(parse({"-p", "22", "--top", "10", "h"}), CLI::ExcludesError);
    app::ScanOptions both;
    both.ports = "22";
    both.top = 10;
    CHECK(app::scan_ports(both).error().message == "-p and --top cannot be combined");
  }
  SUBCASE("a bad list") {
    CHECK(app::scan_ports(parse({"-p", "0", "h"})).error().kind == core::ErrorKind::usage);
  }
}

TEST_CASE("app::make_scan_plan") {
  SUBCASE("defaults") {
    auto plan = app::make_scan_plan(parse({"-p", "80", "h"}), {});
    REQUIRE(plan.ok());
    CHECK(plan->config.rate == 1000);
    CHECK(plan->config.retries == 1);
    CHECK(plan->config.wait.floor == std::chrono::milliseconds(20));
    CHECK(plan->config.wait.ceiling == std::chrono::seconds(1));
    CHECK_FALSE(plan->expect);
  }
  SUBCASE("options") {
    auto plan = app::make_scan_plan(
        parse({"-p", "80", "--rate", "50000", "--retries", "0", "--min-wait", "5ms", "--max-wait", "300ms",
               "--expect", "open,refused", "--ttl", "9", "h"}),
        {});
    REQUIRE(plan.ok());
    CHECK(plan->config.rate == 50000);
    CHECK(plan->config.retries == 0);
    CHECK(plan->config.wait.floor == std::chrono::milliseconds(5));
    CHECK(plan->config.wait.ceiling == std::chrono::milliseconds(300));
    REQUIRE(plan->expect);
    CHECK(plan->expect->size() == 2);
    CHECK(plan->syn.ttl == 9);
  }
  SUBCASE("errors") {
    CHECK(app::make_scan_plan(parse({"--rate", "2000000", "h"}), {}).error().message ==
          "--rate 2000000: must be above 0 and at most 1000000");
    CHECK(app::make_scan_plan(parse({"--rate", "0", "h"}), {}).error().kind == core::ErrorKind::usage);
    CHECK(app::make_scan_plan(parse({"--min-wait", "2s", "h"}), {}).error().message ==
          "--min-wait 2s is longer than --max-wait 1s");
    CHECK(app::make_scan_plan(parse({"--expect", "opne", "h"}), {}).error().kind == core::ErrorKind::usage);
    CHECK_THROWS_AS(parse({"--retries", "2", "h"}), CLI::ValidationError);
  }
}

TEST_CASE("app::resolve_scan_hosts") {
  auto hosts = app::resolve_scan_hosts({"127.0.0.1", "[::1]", "::1"}, {});
  REQUIRE(hosts.ok());
  REQUIRE(hosts->size() == 3);
  CHECK((*hosts)[0].address == core::IpAddress::v4(127, 0, 0, 1));
  CHECK((*hosts)[1].address == *core::IpAddress::parse("::1"));
  CHECK((*hosts)[1].text == "[::1]");
  CHECK(app::resolve_scan_hosts({"10.0.0.1:80"}, {}).error().message ==
        "invalid host '10.0.0.1:80': scan takes hosts; give the ports with -p");
  CHECK(app::resolve_scan_hosts({"::1"}, {true, false, false}).error().kind == core::ErrorKind::usage);
  // Empty and blank hosts are usage errors, never a name lookup (exit 68).
  for (const char* blank : {"", "  ", "\t"}) {
    auto r = app::resolve_scan_hosts({blank}, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == core::ErrorKind::usage);
    CHECK(r.error().message == fmt::format("invalid host '{}': empty host", blank));
  }
}
