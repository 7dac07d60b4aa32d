#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tcphs/app/isn_command.hpp"

using namespace tcphs;

namespace {

const app::TargetInfo kTarget{"db.internal:5432", core::IpAddress::v4(10, 77, 3, 2), 5432};
constexpr std::int64_t t0 = 1'700'000'000'000'000'000;

/// A SYN-ACK to probe `number`, as the engine reports it.
core::ProbeResult syn_ack(std::uint32_t number, std::uint16_t port, std::uint32_t isn, std::optional<std::uint32_t> tsval,
                          std::int64_t rx_ns) {
  core::ProbeResult r;
  r.number = number;
  r.attempt = 1;
  r.outcome = core::Outcome::open;
  r.rtt_ns = 250'000;
  r.rx = core::Stamp{rx_ns, core::StampSource::capture};
  r.flow.local_port = port;
  core::ReplyInfo reply;
  reply.flags = core::tcp_flag::syn | core::tcp_flag::ack;
  reply.isn = isn;
  reply.ip_id = 0;
  reply.options.wscale = 7;
  reply.options.sack_permitted = true;
  if (tsval) reply.options.timestamps = core::TcpTimestamps{*tsval, 0};
  r.reply = reply;
  return r;
}

/// A run like isn's on a server with a 1000 Hz clock at a per-port offset,
/// or without timestamps; probe 5 went unanswered.
app::IsnRun make_run(bool timestamps) {
  app::IsnRun run;
  run.reused_port = 61000;
  run.syn_text = "mss 1460,sack,ts,nop,wscale 7";
  for (std::uint32_t n = 1; n <= 8; ++n) {
    const auto port = static_cast<std::uint16_t>(n % 2 ? 61000 : 61000 + n);
    const std::int64_t rx = t0 + (n - 1) * 110'000'000LL;
    const auto ms = static_cast<std::uint32_t>((rx - t0) / 1'000'000);
    std::optional<std::uint32_t> ts;
    if (timestamps) ts = port * 2654435761u + ms;
    const auto isn = static_cast<std::uint32_t>(1000 + (rx - t0) / 4000);  // a 250 kHz clock
    core::ProbeResult r = n == 5 ? core::ProbeResult{} : syn_ack(n, port, isn, ts, rx);
    if (n == 5) {
      r.number = 5;
      r.attempt = 3;
      r.flow.local_port = port;
    }
    const std::uint32_t ours = n * 40503u;
    run.probes.push_back(app::IsnProbe{r, app::isn_sample(r, ours)});
  }
  return run;
}

template <typename Print>
std::string render(Print print) {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  print(f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

std::vector<nlohmann::json> records(const std::string& ndjson) {
  std::vector<nlohmann::json> out;
  std::istringstream in(ndjson);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("app::isn_sample") {
  const auto r = syn_ack(3, 61000, 123456, 777, t0);
  auto s = app::isn_sample(r, 99);
  REQUIRE(s);
  CHECK(s->number == 3);
  CHECK(s->source_port == 61000);
  CHECK(s->isn == 123456);
  CHECK(s->our_isn == 99);
  CHECK(s->tsval == 777u);
  CHECK(s->ip_id == 0);
  CHECK(s->rx_ns == t0);
  CHECK(s->wscale);
  CHECK(s->sack_permitted);

  auto refused = r;
  refused.outcome = core::Outcome::refused;
  CHECK_FALSE(app::isn_sample(refused, 99));
  auto no_stamp = r;
  no_stamp.rx.reset();
  CHECK_FALSE(app::isn_sample(no_stamp, 99));
}

TEST_CASE("app::print_isn_json") {
  const auto run = make_run(true);
  const auto analysis = core::analyse_isn(app::run_samples(run), run.offer);
  const auto recs = records(render([&](std::FILE* f) { app::print_isn_json(f, kTarget, run, analysis); }));
  REQUIRE(recs.size() == 8);  // 7 samples and the analysis
  for (std::size_t i = 0; i < 7; ++i) {
    CHECK(recs[i]["type"] == "sample");
    CHECK(recs[i]["schema"] == 1);
    CHECK(recs[i]["target"] == "db.internal:5432");
  }
  CHECK(recs[0]["delta"].is_null());
  CHECK(recs[0]["t_us"] == 0.0);
  CHECK(recs[1]["seq"] == 2);
  CHECK(recs[1]["delta"] == 27500);
  CHECK(recs[1]["t_us"] == 110000.0);
  CHECK(recs[1]["our_isn"] == 2 * 40503);
  CHECK(recs[1]["reused_port"] == false);
  CHECK(recs[2]["reused_port"] == true);
  CHECK(recs[1]["ip_id"] == 0);
  CHECK(recs[1]["rtt_us"] == 250.0);
  CHECK(recs[1]["options"]["wscale"] == 7);

  const auto& a = recs.back();
  CHECK(a["type"] == "analysis");
  CHECK(a["sent"] == 8);
  CHECK(a["samples"] == 7);
  CHECK(a["counts"]["open"] == 7);
  CHECK(a["counts"]["timeout"] == 1);
  CHECK(a["isn"]["deltas"].size() == 6);
  CHECK(a["isn"]["verdict"] == "predictable");  // a 250 kHz clock
  CHECK(a["timestamps"]["offered"] == true);
  CHECK(a["timestamps"]["offset"] == "per_connection");
  CHECK(a["timestamps"]["uptime_s"].is_null());
  CHECK(a["ip_id"]["behaviour"] == "zero");
  CHECK(a["syn_cookies"]["verdict"] == "not_detected");
  CHECK(a["syn_cookies"]["evidence"]["tsval_low_bits"].contains("low_bits"));
}

TEST_CASE("app::print_isn_text") {
  SUBCASE("no timestamps: said in words, and no rate") {
    const auto run = make_run(false);
    const auto analysis = core::analyse_isn(app::run_samples(run), run.offer);
    const auto text = render([&](std::FILE* f) { app::print_isn_text(f, kTarget, run, analysis, {}); });
    CHECK(text.find("--- 10.77.3.2:5432: 7 SYN-ACKs to 8 SYNs, 1 timeout, on 5 connections ---") != std::string::npos);
    CHECK(text.find("timestamps        none offered: none of the 7 SYN-ACKs") != std::string::npos);
    CHECK(text.find("(nominal") == std::string::npos);
    CHECK(text.find("has been up") == std::string::npos);
    CHECK(text.find("   #   port") == std::string::npos);  // the table is for -v
  }
  SUBCASE("-v adds the sample table, the unanswered probe last") {
    const auto run = make_run(true);
    const auto analysis = core::analyse_isn(app::run_samples(run), run.offer);
    const auto text = render([&](std::FILE* f) { app::print_isn_text(f, kTarget, run, analysis, {false, false, 1}); });
    CHECK(text.find("    1 61000*        1000           -") != std::string::npos);
    CHECK(text.find("    5 61000  timeout") != std::string::npos);
    CHECK(text.find("offset random per connection: 4 of 4 other connections") != std::string::npos);
  }
  SUBCASE("-q: findings only") {
    const auto run = make_run(true);
    const auto analysis = core::analyse_isn(app::run_samples(run), run.offer);
    const auto text = render([&](std::FILE* f) { app::print_isn_text(f, kTarget, run, analysis, {false, true, 0}); });
    CHECK(text.rfind("--- ", 0) == 0);
  }
}
