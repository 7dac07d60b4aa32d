#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tcphs/app/json_records.hpp"
#include "tcphs/app/probe_tally.hpp"
#include "tcphs/app/reporter.hpp"

using namespace tcphs;

namespace {

/// Runs `fill` against a reporter writing into a memory stream; returns the text.
template <typename Make, typename Fill>
std::string render(Make make, Fill fill) {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    auto reporter = make(f);
    fill(*reporter);
  }
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

std::string golden(const std::string& name) {
  std::ifstream in(std::string(TCPHS_TEST_DATA) + "/golden/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const app::TargetInfo kTarget{"db.internal:5432", core::IpAddress::v4(10, 77, 3, 2), 5432};

core::ProbeResult open_result(std::uint32_t number, std::int64_t rtt_ns) {
  core::ProbeResult r;
  r.number = number;
  r.attempt = 1;
  r.outcome = core::Outcome::open;
  r.rtt_ns = rtt_ns;
  core::ReplyInfo reply;
  reply.flags = core::tcp_flag::syn | core::tcp_flag::ack;
  reply.ttl = 62;
  reply.window = 65160;
  reply.isn = 3303370969u;
  reply.options.mss = 1460;
  reply.options.sack_permitted = true;
  reply.options.timestamps = core::TcpTimestamps{4711, 42};
  reply.options.wscale = 7;
  reply.options.kinds = {2, 4, 8, 1, 3};
  r.reply = reply;
  r.flow = {core::IpAddress::v4(10, 77, 1, 2), kTarget.address, 61000, 5432};
  return r;
}

core::ProbeResult filtered_result(std::uint32_t number) {
  core::ProbeResult r;
  r.number = number;
  r.attempt = 2;
  r.outcome = core::Outcome::filtered;
  r.rtt_ns = 310'250;
  r.icmp = core::IcmpInfo{3, 13, core::IpAddress::v4(10, 77, 2, 2), {}};
  r.flow = {core::IpAddress::v4(10, 77, 1, 2), kTarget.address, 61001, 5432};
  return r;
}

core::ProbeResult timeout_result(std::uint32_t number) {
  core::ProbeResult r;
  r.number = number;
  r.attempt = 3;
  r.outcome = core::Outcome::timeout;
  r.flow = {core::IpAddress::v4(10, 77, 1, 2), kTarget.address, 61002, 5432};
  return r;
}

void run_session(app::ProbeReporter& rep) {
  app::ProbeTally tally(std::span(&kTarget, 1), rep, core::ProbeMode::raw);
  rep.start(kTarget, 4, "mss 1460,sack,ts,nop,wscale 7");
  tally.add(open_result(1, 41'234));
  tally.add(open_result(2, 40'001));
  tally.add(filtered_result(3));
  tally.add(timeout_result(4));
  tally.finish();
}

}  // namespace

TEST_CASE("app::text reporter matches the golden output") {
  auto text = render([](std::FILE* f) { return app::make_text_reporter(f, {false, false, 0}); }, run_session);
  CHECK(text == golden("probe_text.txt"));
}

TEST_CASE("app::text reporter --quiet prints only the summary") {
  auto text = render([](std::FILE* f) { return app::make_text_reporter(f, {false, true, 0}); }, run_session);
  CHECK(text.find("PROBE") == std::string::npos);
  CHECK(text.find("seq=") == std::string::npos);
  CHECK(text.find("4 sent, 2 open, 1 timeout, 1 filtered, 25% loss") != std::string::npos);
}

TEST_CASE("app::text reporter colours outcomes only when asked") {
  auto plain = render([](std::FILE* f) { return app::make_text_reporter(f, {false, false, 0}); }, run_session);
  auto colour = render([](std::FILE* f) { return app::make_text_reporter(f, {true, false, 0}); }, run_session);
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(colour.find("\x1b[32mopen\x1b[0m") != std::string::npos);
  CHECK(colour.find("\x1b[31mtimeout\x1b[0m") != std::string::npos);
}

TEST_CASE("app::json reporter matches the golden NDJSON") {
  auto text = render([](std::FILE* f) { return app::make_json_reporter(f); }, run_session);
  CHECK(text == golden("probe.ndjson"));
}

TEST_CASE("app::probe_json uses null for every absent value") {
  auto j = app::probe_json(kTarget, timeout_result(1));
  for (const char* key : {"rtt_us", "reply", "icmp"}) {
    CAPTURE(key);
    REQUIRE(j.contains(key));
    CHECK(j[key].is_null());
  }
  auto f = app::probe_json(kTarget, filtered_result(1));
  CHECK(f["reply"].is_null());
  CHECK(f["icmp"]["from"] == "10.77.2.2");
  CHECK(f["rtt_us"] == doctest::Approx(310.25));
  auto o = app::probe_json(kTarget, open_result(1, 1));
  CHECK(o["reply"]["options"]["tfo_cookie"].is_null());
  CHECK(o["reply"]["options"]["timestamps"]["val"] == 4711);
  CHECK(o["family"] == "ipv4");
}

TEST_CASE("app::ProbeTally exit codes follow SPEC §2") {
  std::vector<app::TargetInfo> targets{kTarget, kTarget};
  auto null_reporter = app::make_json_reporter(std::fopen("/dev/null", "w"));
  app::ProbeTally tally(targets, *null_reporter, core::ProbeMode::raw);
  auto a = open_result(1, 10);
  auto b = filtered_result(1);
  b.target_index = 1;
  tally.add(b);  // arrives first, but the exit code follows argument order
  tally.add(a);
  const core::Outcome open_only[] = {core::Outcome::open};
  const core::Outcome both[] = {core::Outcome::open, core::Outcome::filtered};
  const core::Outcome filtered_only[] = {core::Outcome::filtered};
  CHECK(tally.exit_code(open_only) == 3);
  CHECK(tally.exit_code(both) == 0);
  CHECK(tally.exit_code(filtered_only) == core::unexpected_open_exit_code);
}
