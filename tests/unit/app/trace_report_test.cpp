#include "tcphs/app/trace_report.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "support/trace_hops.hpp"

using namespace tcphs;
using namespace tcphs::test;
using nlohmann::json;

namespace {

const std::uint16_t SA = core::tcp_flag::syn | core::tcp_flag::ack;
const app::TargetInfo kTarget{"server.lab:7010", kTraceServer, 7010};

app::TraceReport report(std::vector<core::Hop> hops, core::TraceEnd end) {
  app::TraceReport r;
  r.target = kTarget;
  r.hops = std::move(hops);
  r.analysis = core::analyze_trace(r.hops, kTarget.address, end);
  r.diagnosis = {"first sentence", "second sentence"};
  return r;
}

/// What a reporter writes, through a memory stream.
template <typename Fill>
std::string render(bool json_output, Fill fill) {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    auto r = json_output ? app::make_trace_json_reporter(f) : app::make_trace_text_reporter(f, {});
    fill(*r);
  }
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

}  // namespace

TEST_CASE("app::hop_line") {
  const app::HopNames none;
  CHECK(app::hop_line(silent_hop(7), none, false) == " 7  *  *  *");
  CHECK(app::hop_line(hop(1, {time_exceeded(kTraceR1, 31'730), silent(), time_exceeded(kTraceR1, 36'358)}), none,
                      false) == " 1  10.77.1.1  0.032 ms  *  0.036 ms");
  SUBCASE("a name, and a second address where it changes") {
    const app::HopNames names{{kTraceR1, "r1.lab"}};
    CHECK(app::hop_line(hop(12, {time_exceeded(kTraceR1, 1'000'000), time_exceeded(kTraceR2, 2'500'000),
                                 time_exceeded(kTraceR2, 3'000'000)}),
                        names, false) == "12  r1.lab (10.77.1.1)  1.000 ms  10.77.2.2  2.500 ms  3.000 ms");
  }
  SUBCASE("traceroute's markers for the answers that end a trace") {
    CHECK(app::hop_line(hop(3, {tcp_answer(SA, 63'000), tcp_answer(core::tcp_flag::rst | core::tcp_flag::ack, 41'000)}),
                        none, false) == " 3  10.77.3.2  0.063 ms <syn,ack>  0.041 ms <rst,ack>");
    CHECK(app::hop_line(hop(2, {icmp_answer(kTraceR2, 3, 1, core::Outcome::unreachable, 52'000)}), none, false) ==
          " 2  10.77.2.2  0.052 ms !H");
  }
  SUBCASE("rewrites in brackets; the quoted options when verbose") {
    auto te = time_exceeded(kTraceR2, 53'000, {"mss 1460->1200"});
    te.quoted_options = core::TcpOptions{};
    te.quoted_options->mss = 1200;
    te.quoted_options->kinds = {core::option_kind::mss};
    CHECK(app::hop_line(hop(2, {te, te}), none, false) == " 2  10.77.2.2  0.053 ms  0.053 ms  [mss 1460->1200]");
    CHECK(app::hop_line(hop(2, {te}), none, true) == " 2  10.77.2.2  0.053 ms  [mss 1460->1200]  quoted [mss 1200]");
  }
}

TEST_CASE("app::hop_json") {
  const app::HopNames names{{kTraceR2, "r2.lab"}};
  auto j = app::hop_json(hop(2, {time_exceeded(kTraceR2, 51'466, {"mss 1460->1200"}), silent(),
                                 time_exceeded(kTraceR2, 52'047, {"mss 1460->1200"})}),
                         names);
  CHECK(j["type"] == "hop");
  CHECK(j["schema"] == 1);
  CHECK(j["hop"] == 2);
  CHECK(j["address"] == "10.77.2.2");
  CHECK(j["name"] == "r2.lab");
  CHECK(j["rtt_us"] == json::parse("[51.466, null, 52.047]"));
  CHECK(j["reply"] == json::parse(R"(["time_exceeded", null, "time_exceeded"])"));
  CHECK(j["icmp"] == json::parse(R"({"type": 11, "code": 0})"));
  CHECK(j["rewrites"] == json::parse(R"(["mss 1460->1200"])"));
  CHECK(j["quote"] == "tcp");
  CHECK(j["outcome"].is_null());

  auto silent_j = app::hop_json(silent_hop(5), names);
  CHECK(silent_j["address"].is_null());
  CHECK(silent_j["name"].is_null());
  CHECK(silent_j["icmp"].is_null());
  CHECK(silent_j["quote"].is_null());
  CHECK(silent_j["rtt_us"] == json::parse("[null, null, null]"));
  CHECK(silent_j["rewrites"] == json::array());

  auto end_j = app::hop_json(hop(3, {tcp_answer(SA)}), names);
  CHECK(end_j["outcome"] == "open");
  CHECK(end_j["name"].is_null());
}

TEST_CASE("app::trace_summary_json") {
  SUBCASE("reached, with a rewrite: every probe counted once") {
    auto r = report({hop(1, {time_exceeded(kTraceR1), time_exceeded(kTraceR1), silent()}),
                     hop(2, {time_exceeded(kTraceR2, 1, {"mss 1460->1200"})}),
                     hop(3, {tcp_answer(SA, 60'000), tcp_answer(SA, 80'000)})},
                    core::TraceEnd::answered);
    auto j = app::trace_summary_json(r);
    CHECK(j["type"] == "summary");
    CHECK(j["sent"] == 6);
    CHECK(j["counts"] ==
          json::parse(R"({"open":2,"refused":0,"timeout":1,"filtered":0,"unreachable":0,"time_exceeded":3})"));
    CHECK(j["loss"].get<double>() == doctest::Approx(1.0 / 6));
    CHECK(j["rtt_us"]["min"] == 60.0);
    CHECK(j["rtt_us"]["max"] == 80.0);
    CHECK(j["outcome"] == "open");
    CHECK(j["reached"] == true);
    CHECK(j["hops"] == 3);
    CHECK(j["end"] == "answered");
    CHECK(j["rejected_by"].is_null());
    CHECK(j["control"].is_null());
    CHECK(j["rewrites"] == json::parse(R"([{"seen_at": {"hop": 2, "address": "10.77.2.2"},
      "after": {"hop": 1, "address": "10.77.1.1"}, "by": {"hop": 1, "address": "10.77.1.1"},
      "changes": ["mss 1460->1200"]}])"));
    CHECK(j["diagnosis"] == json::parse(R"(["first sentence", "second sentence"])"));
  }
  SUBCASE("dropped, with a control port") {
    auto r = report({hop(1, {time_exceeded(kTraceR1)}), silent_hop(2), silent_hop(3)}, core::TraceEnd::silence);
    r.control = core::ControlResult{7009, tcp_answer(SA)};
    auto j = app::trace_summary_json(r);
    CHECK(j["outcome"] == "timeout");
    CHECK(j["reached"] == false);
    CHECK(j["hops"].is_null());
    CHECK(j["rtt_us"].is_null());
    CHECK(j["last_hop"] == json::parse(R"({"hop": 1, "address": "10.77.1.1"})"));
    CHECK(j["control"] == json::parse(R"({"port": 7009, "outcome": "open", "reply": "tcp", "from": "10.77.3.2"})"));
  }
  SUBCASE("rejected by router2") {
    auto r = report(
        {hop(1, {time_exceeded(kTraceR1)}), hop(2, {icmp_answer(kTraceR2, 3, 1, core::Outcome::unreachable)})},
        core::TraceEnd::answered);
    auto j = app::trace_summary_json(r);
    CHECK(j["outcome"] == "unreachable");
    CHECK(j["rejected_by"] == json::parse(R"({"hop": 2, "address": "10.77.2.2", "icmp": {"type": 3, "code": 1}})"));
    CHECK(j["interrupted"].is_null());
  }
  SUBCASE("interrupted during the hops: end interrupted, no outcome, the signal") {
    auto r = report({hop(1, {time_exceeded(kTraceR1)}), hop(2, {time_exceeded(kTraceR2)})},
                    core::TraceEnd::interrupted);
    r.signal = SIGINT;
    auto j = app::trace_summary_json(r);
    CHECK(j["end"] == "interrupted");
    CHECK(j["outcome"].is_null());
    CHECK(j["reached"] == false);
    CHECK(j["sent"] == 2);
    CHECK(j["last_hop"] == json::parse(R"({"hop": 2, "address": "10.77.2.2"})"));
    CHECK(j["interrupted"] == json::parse(R"({"signal": "SIGINT", "during": "hops"})"));
    CHECK(j["diagnosis"] == json::parse(R"(["first sentence", "second sentence"])"));
  }
  SUBCASE("interrupted during the control port's SYNs: the trace's outcome stands") {
    auto r = report({hop(1, {time_exceeded(kTraceR1)}), silent_hop(2)}, core::TraceEnd::silence);
    r.signal = SIGTERM;
    auto j = app::trace_summary_json(r);
    CHECK(j["end"] == "silence");
    CHECK(j["outcome"] == "timeout");
    CHECK(j["control"].is_null());
    CHECK(j["interrupted"] == json::parse(R"({"signal": "SIGTERM", "during": "control"})"));
  }
}

TEST_CASE("app::make_trace_text_reporter and make_trace_json_reporter") {
  auto r = report({hop(1, {time_exceeded(kTraceR1, 40'000)}), hop(2, {tcp_answer(SA, 70'000)})},
                  core::TraceEnd::answered);
  const app::TraceStart start{kTarget, 1, 30, 1, "mss 1460,sack,ts,nop,wscale 7", false, 61000};
  auto feed = [&](app::TraceReporter& rep) {
    rep.start(start);
    for (const auto& h : r.hops) rep.hop(h, {});
    rep.finish(r);
  };
  CHECK(render(false, feed) ==
        "TRACE server.lab:7010 (10.77.3.2:7010): TTL 1 to 30, 1 SYN per hop from port 61000, options "
        "[mss 1460,sack,ts,nop,wscale 7]\n"
        " 1  10.77.1.1  0.040 ms\n"
        " 2  10.77.3.2  0.070 ms <syn,ack>\n"
        "10.77.3.2:7010 open: the port answered SYN+ACK: something is listening\n"
        "diagnosis: first sentence\n"
        "diagnosis: second sentence\n");
  const std::string out = render(true, feed);
  std::vector<json> lines;
  for (std::size_t at = 0, nl; (nl = out.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(json::parse(out.substr(at, nl - at)));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["type"] == "hop");
  CHECK(lines[1]["type"] == "hop");
  CHECK(lines[2]["type"] == "summary");
  CHECK(lines[2]["hops"] == 2);
}

TEST_CASE("app::make_trace_text_reporter, interrupted: no outcome, the signal, then the diagnosis") {
  auto r = report({hop(1, {time_exceeded(kTraceR1, 40'000)})}, core::TraceEnd::interrupted);
  r.signal = SIGTERM;
  const std::string out = render(false, [&](app::TraceReporter& rep) { rep.finish(r); });
  CHECK(out ==
        "10.77.3.2:7010: no outcome: interrupted by SIGTERM\n"
        "diagnosis: first sentence\n"
        "diagnosis: second sentence\n");
}
