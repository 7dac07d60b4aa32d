#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#include "tcphs/app/scan_progress.hpp"
#include "tcphs/app/scan_report.hpp"

using namespace tcphs;

namespace {

app::ScanHostReport host_report() {
  app::ScanHostReport h;
  h.target = {"server", core::IpAddress::v4(10, 77, 3, 2), 0};
  h.source = core::IpAddress::v4(10, 77, 1, 2);
  h.source_port = 61000;
  h.ports = 65535;
  h.decided = 65535;
  h.counts = {2, 65530, 2, 1, 0};
  h.hidden = app::hidden_outcomes(h.counts, false);
  h.sent = 65538;
  h.retransmitted = 3;
  h.elapsed = std::chrono::milliseconds(410);
  h.rate_requested = 200000;
  h.rate_final = 200000;
  return h;
}

core::ProbeResult open_port() {
  core::ProbeResult r;
  r.outcome = core::Outcome::open;
  r.attempt = 1;
  r.rtt_ns = 61'000;
  core::ReplyInfo reply;
  reply.flags = core::tcp_flag::syn | core::tcp_flag::ack;
  reply.ttl = 62;
  reply.window = 64240;
  reply.isn = 7;
  reply.options.mss = 1460;
  reply.options.sack_permitted = true;
  reply.options.timestamps = core::TcpTimestamps{1, 2};
  reply.options.wscale = 7;
  r.reply = reply;
  return r;
}

template <typename Fill>
std::string render(bool json, Fill fill) {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    auto reporter = json ? app::make_scan_json_reporter(f) : app::make_scan_text_reporter(f, {});
    fill(*reporter);
  }
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

}  // namespace

TEST_CASE("app::group_digits") {
  CHECK(app::group_digits(0) == "0");
  CHECK(app::group_digits(999) == "999");
  CHECK(app::group_digits(1000) == "1,000");
  CHECK(app::group_digits(65535) == "65,535");
  CHECK(app::group_digits(1234567) == "1,234,567");
}

TEST_CASE("app::hidden_outcomes") {
  const std::array<std::size_t, 5> counts{300, 26, 25, 0, 65000};
  const auto hidden = app::hidden_outcomes(counts, false);
  CHECK_FALSE(hidden[0]);  // open is always listed
  CHECK(hidden[1]);
  CHECK_FALSE(hidden[2]);  // 25 is not more than 25
  CHECK_FALSE(hidden[3]);
  CHECK(hidden[4]);
  CHECK(app::hidden_outcomes(counts, true) == std::array<bool, 5>{});
}

TEST_CASE("app::scan_evidence") {
  CHECK(app::scan_evidence(open_port()) == "SA ttl=62 win=64240 [mss 1460,sack,ts,wscale 7]");
  core::ProbeResult rst;
  rst.outcome = core::Outcome::refused;
  rst.attempt = 2;
  rst.reply = core::ReplyInfo{core::tcp_flag::rst | core::tcp_flag::ack, 62, 0, 0, false, {}};
  CHECK(app::scan_evidence(rst) == "RA ttl=62 (2nd SYN)");
  core::ProbeResult icmp;
  icmp.outcome = core::Outcome::filtered;
  icmp.attempt = 1;
  icmp.icmp = core::IcmpInfo{1, 1, *core::IpAddress::parse("fd00:77:3::2"), {}};
  CHECK(app::scan_evidence(icmp) == "icmp6 1/1 from fd00:77:3::2");
  core::ProbeResult silent;
  silent.attempt = 2;
  CHECK(app::scan_evidence(silent) == "no reply (2 SYNs)");
}

TEST_CASE("app::make_scan_text_reporter") {
  const auto h = host_report();
  const std::string out = render(false, [&](app::ScanReporter& r) {
    r.begin(h);
    r.port(h, 22, open_port(), "ssh");
    r.end(h);
  });
  CHECK(out ==
        "SCAN server (10.77.3.2): 65,535 ports\n"
        "PORT        OUTCOME            RTT  SERVICE         EVIDENCE\n"
        "22/tcp      open          0.061 ms  ssh             SA ttl=62 win=64240 [mss 1460,sack,ts,wscale 7]\n"
        "2 open, 65,530 refused (not shown), 2 timeout, 1 filtered\n"
        "65,538 SYNs (3 retransmitted) in 0.41 s\n");
  auto one = h;  // a one-port scan answered at once: one SYN, singular
  one.sent = 1;
  one.retransmitted = 0;
  const std::string single = render(false, [&](app::ScanReporter& r) { r.end(one); });
  CHECK(single.find("\n1 SYN (0 retransmitted) in ") != std::string::npos);
  auto wrong = h;
  wrong.results_may_be_wrong = true;
  wrong.capture_drops = 1200;
  const std::string warned = render(false, [&](app::ScanReporter& r) { r.end(wrong); });
  CHECK(warned.find("warning: the capture dropped 1,200 packets; some results may be wrong") != std::string::npos);
}

TEST_CASE("app::port_json") {
  const auto h = host_report();
  const auto j = app::port_json(h, 22, open_port(), "ssh");
  for (const char* key : {"type", "schema", "address", "port", "outcome", "rtt_us", "reply", "icmp", "service"})
    CHECK(j.contains(key));
  CHECK(j["type"] == "port");
  CHECK(j["address"] == "10.77.3.2");
  CHECK(j["port"] == 22);
  CHECK(j["rtt_us"] == 61.0);
  CHECK(j["reply"]["flags"] == "SA");
  CHECK(j["reply"]["options"]["mss"] == 1460);
  CHECK(j["icmp"].is_null());
  CHECK(j["service"] == "ssh");
  CHECK(app::port_json(h, 9, open_port(), "")["service"].is_null());
}

TEST_CASE("app::scan_summary_json") {
  auto h = host_report();
  const auto j = app::scan_summary_json(h);
  CHECK(j["type"] == "summary");
  CHECK(j["counts"]["refused"] == 65530);
  CHECK(j["not_shown"] == nlohmann::json::array({"refused"}));
  CHECK(j["sent"] == 65538);
  CHECK(j["complete"] == true);
  CHECK(j["loss"].get<double>() == doctest::Approx(2.0 / 65535));
  CHECK(j["rtt_us"].is_null());
  h.decided = 100;
  CHECK(app::scan_summary_json(h)["complete"] == false);
}

TEST_CASE("app::progress_line") {
  app::ScanProgressState s;
  s.total = 65535;
  s.first_sent = 27525;
  s.answered = 27400;
  s.pps = 98120.4;
  s.eta = std::chrono::seconds(63);
  CHECK(app::progress_line(s) == "scan  42% 27,525/65,535  98,120 pps  ETA 1:03  replies 27,400");
}
