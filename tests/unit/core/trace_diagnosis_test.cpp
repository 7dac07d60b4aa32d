#include "tcphs/core/trace_diagnosis.hpp"

#include <doctest/doctest.h>

#include "support/trace_hops.hpp"

using namespace tcphs;
using namespace tcphs::test;
using core::Outcome;
using core::TraceEnd;
using Strings = std::vector<std::string>;

namespace {

const std::uint16_t SA = core::tcp_flag::syn | core::tcp_flag::ack;
const std::uint16_t RA = core::tcp_flag::rst | core::tcp_flag::ack;

Strings run(const std::vector<core::Hop>& hops, TraceEnd end, std::uint16_t port = 7008,
            std::optional<core::ControlResult> control = std::nullopt, unsigned first = 1) {
  const core::TraceFacts facts{kTraceServer, port, first, 30, std::nullopt};
  return core::diagnose(facts, hops, core::analyze_trace(hops, kTraceServer, end), control);
}

std::vector<core::Hop> to_router2() {
  return {hop(1, {time_exceeded(kTraceR1)}), hop(2, {time_exceeded(kTraceR2)})};
}

}  // namespace

TEST_CASE("core::diagnose reached") {
  auto hops = to_router2();
  hops.push_back(hop(3, {tcp_answer(SA)}));
  CHECK(run(hops, TraceEnd::answered, 7001) ==
        Strings{"reached 10.77.3.2 in 3 hops: port 7001 open, with SYN-ACK",
                "no rewriting seen: every hop that quoted the SYN (2) quoted it as sent"});
  hops.back() = hop(3, {tcp_answer(RA)});
  CHECK(run(hops, TraceEnd::answered, 7002).front() == "reached 10.77.3.2 in 3 hops: port 7002 refused, with RST");
  hops.back() = hop(3, {icmp_answer(kTraceServer, 3, 3, Outcome::refused)});
  CHECK(run(hops, TraceEnd::answered, 7005).front() ==
        "reached 10.77.3.2 in 3 hops: port 7005 refused, with ICMP port unreachable (3/3)");
  SUBCASE("from a first TTL above 1, the hop count is an upper bound") {
    std::vector<core::Hop> late{hop(5, {tcp_answer(SA)})};
    CHECK(run(late, TraceEnd::answered, 7001, std::nullopt, 5).front() ==
          "reached 10.77.3.2 within 5 hops: port 7001 open, with SYN-ACK");
  }
  SUBCASE("silent hops inside the path are not the drop") {
    std::vector<core::Hop> gaps{hop(1, {time_exceeded(kTraceR1)}), silent_hop(2), silent_hop(3),
                                hop(4, {tcp_answer(SA)})};
    CHECK(run(gaps, TraceEnd::answered, 7001)[1] ==
          "hops 2 and 3 sent no ICMP time exceeded; later hops answered, so SYNs do not die there");
  }
}

TEST_CASE("core::diagnose dropped: at or after the last hop that answered, and the control port") {
  auto hops = to_router2();
  hops.push_back(silent_hop(3));
  hops.push_back(silent_hop(4));
  const std::string dropped =
      "SYNs to port 7008 are dropped at or after hop 2 (10.77.2.2): no answer from hop 3 on, nor from the target";

  SUBCASE("no control port: a hint") {
    CHECK(run(hops, TraceEnd::silence) ==
          Strings{dropped,
                  "to tell a filter on port 7008 from a broken path, run again with --control-port PORT (a port the "
                  "target serves)",
                  "no rewriting seen: every hop that quoted the SYN (2) quoted it as sent"});
  }
  SUBCASE("the control port reaches the target: only this port") {
    auto d = run(hops, TraceEnd::silence, 7008, core::ControlResult{7009, tcp_answer(SA)});
    CHECK(d[0] == dropped);
    CHECK(d[1] == "SYNs to control port 7009 reach the target, which answers SYN-ACK: 7009 is open, so only port "
                  "7008 is affected");
  }
  SUBCASE("the control port gets no answer either: the whole path") {
    CHECK(run(hops, TraceEnd::silence, 7008, core::ControlResult{7009, silent()})[1] ==
          "SYNs to control port 7009 get no answer either: the path beyond hop 2, or the target, drops every SYN, "
          "not only port 7008");
  }
  SUBCASE("the control port is rejected on the path") {
    CHECK(run(hops, TraceEnd::silence, 7008,
              core::ControlResult{443, icmp_answer(kTraceR2, 3, 13, Outcome::filtered)})[1] ==
          "SYNs to control port 443 are rejected too, by 10.77.2.2 with ICMP administratively prohibited (3/13): not "
          "only port 7008 is blocked");
  }
  SUBCASE("silent up to --max-hops: the same drop, unless the target lies further; the control port runs") {
    const core::TraceFacts facts{kTraceServer, 7008, 1, 4, std::nullopt};
    const core::ControlResult control{7009, tcp_answer(SA)};
    auto d = core::diagnose(facts, hops, core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops), control);
    REQUIRE(d.size() == 3);
    CHECK(d[0] ==
          "SYNs to port 7008 are dropped at or after hop 2 (10.77.2.2): no answer from hop 3 to hop 4, nor from the "
          "target, unless it lies beyond --max-hops 4");
    CHECK(d[1] == "SYNs to control port 7009 reach the target, which answers SYN-ACK: 7009 is open, so only port "
                  "7008 is affected");
    std::vector<core::Hop> dead{silent_hop(1), silent_hop(2)};
    CHECK(core::diagnose({kTraceServer, 7008, 1, 2, std::nullopt}, dead, core::analyze_trace(dead, kTraceServer, TraceEnd::max_hops),
                         std::nullopt)
              .front() == "no hop answered and neither did the target, unless it lies beyond --max-hops 2: SYNs to "
                          "port 7008 die before hop 1, or no hop sends ICMP time exceeded");
  }
  SUBCASE("nobody answered at all") {
    std::vector<core::Hop> dead{silent_hop(1), silent_hop(2)};
    CHECK(run(dead, TraceEnd::silence).front() ==
          "no hop answered and neither did the target: SYNs to port 7008 die before hop 1, or no hop sends ICMP "
          "time exceeded");
  }
}

TEST_CASE("core::diagnose rejected") {
  SUBCASE("by a router: named, with its ICMP") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}),
                                hop(2, {icmp_answer(kTraceR2, 3, 1, Outcome::unreachable)})};
    CHECK(run(hops, TraceEnd::answered, 80).front() ==
          "hop 2 (10.77.2.2) rejected SYNs to port 80 with ICMP host unreachable (3/1): it cannot deliver them; the "
          "target was not reached");
  }
  SUBCASE("by the target's firewall") {
    auto hops = to_router2();
    hops.push_back(hop(3, {icmp_answer(kTraceServer, 3, 13, Outcome::filtered)}));
    auto d = run(hops, TraceEnd::answered, 7004);
    CHECK(d[0] == "the target 10.77.3.2 (hop 3) rejected SYNs to port 7004 with ICMP administratively prohibited "
                  "(3/13): a firewall on the target rejects them");
    CHECK(d[1].rfind("to tell a filter on port 7004", 0) == 0);
  }
}

TEST_CASE("core::diagnose rewrites and the TTL limit") {
  SUBCASE("the hop before the first changed quote rewrote the SYN") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}),
                                hop(2, {time_exceeded(kTraceR2, 1, {"mss 1460->1200"})}), hop(3, {tcp_answer(SA)})};
    CHECK(run(hops, TraceEnd::answered, 7010) ==
          Strings{"reached 10.77.3.2 in 3 hops: port 7010 open, with SYN-ACK",
                  "hop 1 (10.77.1.1) rewrote the SYN as it passed it on: mss 1460->1200 (hop 1 quoted it as sent, hop "
                  "2 quoted it changed)"});
  }
  SUBCASE("with a silent hop between, only the span is known") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}), silent_hop(2),
                                hop(3, {time_exceeded(kTraceR2, 1, {"wscale stripped"})})};
    CHECK(run(hops, TraceEnd::max_hops)[2] ==
          "the SYN was rewritten between hop 1 (10.77.1.1) and hop 3 (10.77.2.2): wscale stripped");
  }
  SUBCASE("changed at the first quote") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1, 1, {"ece cleared", "cwr cleared"})})};
    CHECK(run(hops, TraceEnd::max_hops).back() ==
          "the SYN was already rewritten when hop 1 (10.77.1.1) quoted it: ece cleared, cwr cleared (by that hop on "
          "the way in, or before it)");
  }
  SUBCASE("only short quotes") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1, 1, {}, true)})};
    CHECK(run(hops, TraceEnd::max_hops) ==
          Strings{"10.77.3.2 was not reached with TTL 1 to 30: the path is longer than --max-hops 30, or it loops",
                  "no hop quoted the whole TCP header, so rewritten options could not be checked"});
  }
}

TEST_CASE("core::diagnose an interrupted trace: how far SYNs got, marked as partial") {
  SUBCASE("no hop complete yet") {
    CHECK(run({}, TraceEnd::interrupted) == Strings{"interrupted before hop 1 was complete: nothing to diagnose yet"});
    CHECK(run({}, TraceEnd::interrupted, 7008, std::nullopt, 4).front() ==
          "interrupted before hop 4 was complete: nothing to diagnose yet");
  }
  SUBCASE("the last hop answered: not reached yet, and no drop claimed, no control-port hint") {
    CHECK(run(to_router2(), TraceEnd::interrupted) ==
          Strings{"interrupted after hop 2: SYNs to port 7008 got as far as hop 2 (10.77.2.2); the target was not "
                  "reached yet",
                  "no rewriting seen: every hop that quoted the SYN (2) quoted it as sent"});
  }
  SUBCASE("silent hops after the last answer: no answer from them yet") {
    auto hops = to_router2();
    hops.push_back(silent_hop(3));
    CHECK(run(hops, TraceEnd::interrupted).front() ==
          "interrupted after hop 3: SYNs to port 7008 got as far as hop 2 (10.77.2.2); no answer from hop 3 yet, nor "
          "from the target");
    hops.push_back(silent_hop(4));
    CHECK(run(hops, TraceEnd::interrupted).front() ==
          "interrupted after hop 4: SYNs to port 7008 got as far as hop 2 (10.77.2.2); no answer from hops 3 to 4 "
          "yet, nor from the target");
  }
  SUBCASE("nothing answered yet") {
    std::vector<core::Hop> dead{silent_hop(1), silent_hop(2)};
    CHECK(run(dead, TraceEnd::interrupted) ==
          Strings{"interrupted after hop 2: no answer to SYNs to port 7008 from hops 1 to 2 yet, nor from the target"});
  }
  SUBCASE("the findings of the hops so far still follow: silent routers and rewrites") {
    std::vector<core::Hop> hops{silent_hop(1), hop(2, {time_exceeded(kTraceR2, 1, {"mss 1460->1200"})})};
    const auto d = run(hops, TraceEnd::interrupted);
    REQUIRE(d.size() == 3);
    CHECK(d[0] == "interrupted after hop 2: SYNs to port 7008 got as far as hop 2 (10.77.2.2); the target was not "
                  "reached yet");
    CHECK(d[1] == "hop 1 sent no ICMP time exceeded; later hops answered, so SYNs do not die there");
    CHECK(d[2].rfind("the SYN was already rewritten when hop 2 (10.77.2.2) quoted it: mss 1460->1200", 0) == 0);
  }
  SUBCASE("stopped during the control port's SYNs: the trace's own end, and the control verdict unknown") {
    auto hops = to_router2();
    hops.push_back(silent_hop(3));
    const core::TraceFacts facts{kTraceServer, 7008, 1, 3, 7009};
    const auto d = core::diagnose(facts, hops, core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops),
                                  std::nullopt);
    REQUIRE(d.size() >= 2);
    CHECK(d[0].rfind("SYNs to port 7008 are dropped at or after hop 2 (10.77.2.2)", 0) == 0);
    CHECK(d[1] == "interrupted before SYNs to control port 7009 were answered: whether only port 7008 is affected is "
                  "not known");
  }
}
