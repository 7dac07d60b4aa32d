#include "tcphs/app/trace_command.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

const app::TargetInfo kTarget{"10.77.3.2:7008", core::IpAddress::v4(10, 77, 3, 2), 7008};

/// Parses `args` after "tcphs trace" into options; throws CLI11's errors.
app::TraceOptions parse(std::vector<std::string> args) {
  CLI::App cli{"test"};
  app::TraceOptions o;
  add_trace_command(cli, o);
  args.insert(args.begin(), "trace");
  std::vector<const char*> argv{"tcphs"};
  for (const auto& a : args) argv.push_back(a.c_str());
  cli.parse(static_cast<int>(argv.size()), argv.data());
  return o;
}

std::string plan_error(std::vector<std::string> args) {
  auto plan = app::make_trace_plan(parse(std::move(args)), kTarget);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().kind == core::ErrorKind::usage);
  return plan.error().message;
}

}  // namespace

TEST_CASE("app::make_trace_plan defaults") {
  auto plan = app::make_trace_plan(parse({"10.77.3.2:7008"}), kTarget);
  REQUIRE(plan.ok());
  CHECK(plan->first_ttl == 1);
  CHECK(plan->max_ttl == 30);
  CHECK(plan->queries == 3);
  CHECK(plan->max_silent == 5);
  CHECK(plan->wait == 1s);
  CHECK(plan->send_wait == 50ms);
  CHECK_FALSE(plan->control_port);
  CHECK(plan->resolve_names);
  CHECK(plan->default_mss);
  CHECK_FALSE(plan->syn.ecn);
}

TEST_CASE("app::make_trace_plan options") {
  auto plan = app::make_trace_plan(parse({"-n", "-f", "2", "-m", "9", "--queries", "1", "-w", "300ms", "-z", "0",
                                          "--max-silent", "0", "--control-port", "7009", "--mss", "1000", "--ecn",
                                          "--tos", "8", "--source-port", "61234", "10.77.3.2:7008"}),
                                   kTarget);
  REQUIRE(plan.ok());
  CHECK(plan->first_ttl == 2);
  CHECK(plan->max_ttl == 9);
  CHECK(plan->queries == 1);
  CHECK(plan->wait == 300ms);
  CHECK(plan->send_wait == 0ns);
  CHECK(plan->max_silent == 0);
  CHECK(plan->control_port == 7009);
  CHECK(plan->syn.options.mss == 1000);
  CHECK_FALSE(plan->default_mss);
  CHECK(plan->syn.ecn);
  CHECK(plan->syn.tos == 8);
  CHECK(plan->source_port == 61234);
  CHECK_FALSE(plan->resolve_names);
}

TEST_CASE("app::make_trace_plan usage errors") {
  CHECK(plan_error({"-f", "9", "-m", "8", "x:1"}) == "--first-hop 9 is above --max-hops 8");
  CHECK(plan_error({"--ttl", "5", "x:1"}) == "--ttl does not apply to trace, which sets the TTL of each SYN itself");
  CHECK(plan_error({"--control-port", "7008", "x:1"}) == "--control-port 7008 is the traced port itself");
  CHECK(plan_error({"-w", "soon", "x:1"}).find("--wait") != std::string::npos);
  CHECK(plan_error({"-z", "never", "x:1"}).find("--send-wait") != std::string::npos);
}

TEST_CASE("app::add_trace_command ranges") {
  CHECK_THROWS_AS(parse({"--queries", "11", "x:1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"-m", "256", "x:1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"-f", "0", "x:1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({"--control-port", "0", "x:1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse({}), CLI::RequiredError);
}
