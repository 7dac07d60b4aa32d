#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tcphs/app/check_report.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

std::string golden(const std::string& name) {
  std::ifstream in(std::string(TCPHS_TEST_DATA) + "/golden/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::ProbeResult open_probe(std::uint32_t number, std::int64_t rtt_ns) {
  core::ProbeResult r;
  r.number = number;
  r.attempt = 1;
  r.outcome = core::Outcome::open;
  r.rtt_ns = rtt_ns;
  core::ReplyInfo reply;
  reply.flags = core::tcp_flag::syn | core::tcp_flag::ack;
  reply.ttl = 61;
  reply.window = 65160;
  reply.isn = 1234567890u;
  reply.options.mss = 1460;
  reply.options.sack_permitted = true;
  reply.options.wscale = 7;
  reply.options.kinds = {2, 4, 1, 3};
  r.reply = reply;
  return r;
}

core::ProbeResult timeout_probe(std::uint32_t number) {
  core::ProbeResult r;
  r.number = number;
  r.attempt = 3;
  r.outcome = core::Outcome::timeout;
  return r;
}

app::CheckRow row(std::string name, std::string target, core::IpAddress address, std::uint16_t port,
                  std::vector<core::Outcome> expect, std::size_t line) {
  app::CheckRow r;
  r.line = line;
  r.name = std::move(name);
  r.target = std::move(target);
  r.resolved = app::TargetInfo{r.target, address, port};
  r.expect = std::move(expect);
  r.elapsed = 2ms;
  return r;
}

/// One of each: passed, timed out, too slow, unresolved, filtered as
/// expected, a flaky check of three probes, and a name that needs escaping.
std::vector<app::CheckRow> sample_rows() {
  using core::Outcome;
  std::vector<app::CheckRow> rows;
  auto web = row("web", "web.example:443", core::IpAddress::v4(192, 0, 2, 10), 443, {Outcome::open}, 3);
  web.results = {open_probe(1, 1'234'567)};
  rows.push_back(web);

  auto db = row("db", "[2001:db8::5]:5432", *core::IpAddress::parse("2001:db8::5"), 5432, {Outcome::open}, 4);
  db.results = {timeout_probe(1)};
  db.elapsed = 7s;
  rows.push_back(db);

  auto slow = row("slow", "192.0.2.11:80", core::IpAddress::v4(192, 0, 2, 11), 80, {Outcome::open}, 5);
  slow.max_rtt = 50ms;
  slow.results = {open_probe(1, 61'500'000)};
  rows.push_back(slow);

  app::CheckRow missing;
  missing.line = 6;
  missing.name = missing.target = "missing.invalid:22";
  missing.expect = {Outcome::open};
  missing.error = core::Error{core::ErrorKind::resolve, "could not resolve 'missing.invalid': Name or service not known"};
  rows.push_back(missing);

  auto fw = row("smtp-blocked", "192.0.2.12:25", core::IpAddress::v4(192, 0, 2, 12), 25,
                {Outcome::filtered, Outcome::unreachable}, 7);
  core::ProbeResult filtered;
  filtered.number = 1;
  filtered.attempt = 1;
  filtered.outcome = Outcome::filtered;
  filtered.rtt_ns = 800'000;
  filtered.icmp = core::IcmpInfo{3, 13, core::IpAddress::v4(192, 0, 2, 1), {}};
  fw.results = {filtered};
  rows.push_back(fw);

  auto flaky = row("flaky", "192.0.2.13:8080", core::IpAddress::v4(192, 0, 2, 13), 8080, {Outcome::open}, 8);
  flaky.count = 3;
  flaky.results = {open_probe(1, 1'000'000), timeout_probe(2), open_probe(3, 3'000'000)};
  rows.push_back(flaky);

  auto odd = row("a\"b\\c<d>&e", "192.0.2.14:9", core::IpAddress::v4(192, 0, 2, 14), 9, {Outcome::refused}, 9);
  core::ProbeResult refused;
  refused.number = 1;
  refused.attempt = 1;
  refused.outcome = Outcome::refused;
  refused.rtt_ns = 250'000;
  core::ReplyInfo rst;
  rst.flags = core::tcp_flag::rst | core::tcp_flag::ack;
  rst.ttl = 64;
  rst.window = 0;
  rst.isn = 0;
  refused.reply = rst;
  odd.results = {refused};
  rows.push_back(odd);
  return rows;
}

const app::CheckRunInfo kInfo{"checks.txt", 7'012'345'678ns, "2026-01-31T12:00:00"};

}  // namespace

TEST_CASE("app::judge_check") {
  auto rows = sample_rows();
  const std::pair<bool, std::string> want[] = {
      {true, ""},
      {false, "expected open, got timeout"},
      {false, "median RTT 61.500 ms is above max_rtt 50.000 ms"},
      {false, "could not resolve 'missing.invalid': Name or service not known"},
      {true, ""},
      {false, "expected open, got timeout on 1 of 3 probes"},
      {true, ""},
  };
  REQUIRE(rows.size() == std::size(want));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    const auto v = app::judge_check(rows[i]);
    CHECK(v.passed == want[i].first);
    CHECK(v.reason == want[i].second);
  }
  const auto flaky = app::judge_check(rows[5]);
  CHECK(flaky.got == "open 2, timeout 1");
  REQUIRE(flaky.shown);
  CHECK(flaky.shown->number == 2);               // the probe that broke the expectation
  CHECK(flaky.median_rtt_ns == 2'000'000);       // of the two answered probes
  CHECK(app::judge_check(rows[3]).got == "unresolved");
  CHECK_FALSE(app::judge_check(rows[3]).shown);

  SUBCASE("max_rtt has nothing to compare when no probe was answered") {
    auto drop = rows[1];
    drop.expect = {core::Outcome::timeout};
    drop.max_rtt = 1ms;
    CHECK(app::judge_check(drop).passed);
  }
  SUBCASE("a median exactly at max_rtt holds") {
    auto edge = rows[2];
    edge.max_rtt = 61'500'000ns;
    CHECK(app::judge_check(edge).passed);
  }
  SUBCASE("a local error fails the check even when results came in") {
    auto broken = rows[0];
    broken.error = core::Error{core::ErrorKind::io, "socket: Too many open files"};
    const auto v = app::judge_check(broken);
    CHECK_FALSE(v.passed);
    CHECK(v.got == "error");
  }
}

TEST_CASE("app::check_table: failed rows first, then the summary line") {
  CHECK(app::check_table(sample_rows(), {}) == golden("check_table.txt"));
  CHECK(app::check_table(sample_rows(), {false, true}) == "7 checks, 3 passed, 4 failed\n");
  CHECK(app::check_table({sample_rows()[0]}, {false, true}) == "1 check, 1 passed, 0 failed\n");
  const auto colored = app::check_table(sample_rows(), {true, false});
  CHECK(colored.find("\x1b[31mFAIL\x1b[0m    db (") != std::string::npos);
  CHECK(colored.find("\x1b[32mok\x1b[0m      web (") != std::string::npos);
}

TEST_CASE("app::check_ndjson: a check record per probe, then the run's summary") {
  const auto text = app::check_ndjson(sample_rows());
  CHECK(text == golden("check.ndjson"));
  std::istringstream in(text);
  std::string line;
  std::vector<nlohmann::json> records;
  while (std::getline(in, line)) records.push_back(nlohmann::json::parse(line));
  REQUIRE(records.size() == 10);  // 6 single probes, 3 of the flaky check, 1 summary
  for (std::size_t i = 0; i + 1 < records.size(); ++i) {
    CHECK(records[i]["type"] == "check");
    for (const char* key : {"target", "address", "port", "family", "seq", "attempt", "outcome", "rtt_us", "reply",
                            "icmp", "mode", "name", "expect", "passed"})
      CHECK_MESSAGE(records[i].contains(key), key);
  }
  CHECK(records[3]["address"].is_null());
  CHECK(records[0]["note"].is_null());  // set only when this host sent no SYN (lab_test_faults)
  CHECK(records[3]["error"] == "could not resolve 'missing.invalid': Name or service not known");
  const auto& summary = records.back();
  CHECK(summary["type"] == "summary");
  CHECK(summary["checks"] == 7);
  CHECK(summary["failed"] == 4);
  CHECK(summary["sent"] == 8);
  CHECK(summary["counts"]["timeout"] == 2);
}

TEST_CASE("app::check_junit: one testcase per check, a failure per failed check") {
  CHECK(app::check_junit(sample_rows(), kInfo) == golden("check.junit.xml"));
  app::CheckRunInfo no_time = kInfo;
  no_time.timestamp = "";
  CHECK(app::check_junit(sample_rows(), no_time).find("timestamp=") == std::string::npos);
}

TEST_CASE("app::check_openmetrics: up, RTT and outcome per check, labels escaped") {
  CHECK(app::check_openmetrics(sample_rows()) == golden("check.prom"));
}
