#include "tcphs/core/trace_analysis.hpp"

#include <doctest/doctest.h>

#include "support/trace_hops.hpp"

using namespace tcphs;
using namespace tcphs::test;
using core::Outcome;
using core::TraceEnd;

namespace {

const std::uint16_t SA = core::tcp_flag::syn | core::tcp_flag::ack;

}  // namespace

TEST_CASE("core::trace_end") {
  std::vector<core::Hop> hops;
  CHECK_FALSE(core::trace_end(hops, 3, 30));
  hops.push_back(hop(1, {time_exceeded(kTraceR1)}));
  CHECK_FALSE(core::trace_end(hops, 3, 30));
  CHECK(core::trace_end(hops, 3, 1) == TraceEnd::max_hops);

  SUBCASE("an answer that is not time exceeded ends it, even at the TTL limit") {
    hops.push_back(hop(2, {silent(), tcp_answer(SA)}));
    CHECK(core::trace_end(hops, 3, 2) == TraceEnd::answered);
  }
  SUBCASE("silence ends it after max_silent hops in a row, not before") {
    hops.push_back(silent_hop(2));
    hops.push_back(silent_hop(3));
    CHECK_FALSE(core::trace_end(hops, 3, 30));
    CHECK(core::trace_end(hops, 2, 30) == TraceEnd::silence);
    hops.push_back(silent_hop(4));
    CHECK(core::trace_end(hops, 3, 30) == TraceEnd::silence);
    CHECK(core::trace_end(hops, 3, 4) == TraceEnd::silence);
  }
  SUBCASE("a hop that answers resets the count") {
    hops.push_back(silent_hop(2));
    hops.push_back(silent_hop(3));
    hops.push_back(hop(4, {silent(), time_exceeded(kTraceR2), silent()}));
    hops.push_back(silent_hop(5));
    CHECK_FALSE(core::trace_end(hops, 2, 30));
  }
  SUBCASE("max_silent 0 never stops for silence") {
    for (unsigned t = 2; t <= 9; ++t) hops.push_back(silent_hop(t));
    CHECK_FALSE(core::trace_end(hops, 0, 30));
    CHECK(core::trace_end(hops, 0, 9) == TraceEnd::max_hops);
  }
}

TEST_CASE("core::analyze_trace outcome and where the SYNs stop") {
  SUBCASE("reached: the target's SYN-ACK, silent hops inside the path noted") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}), silent_hop(2),
                                hop(3, {silent(), tcp_answer(SA), tcp_answer(SA)})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::answered);
    CHECK(a.outcome == Outcome::open);
    CHECK(a.final_hop == 2u);
    CHECK(a.target_answered);
    CHECK_FALSE(a.rejected);
    CHECK(a.last_answering == 2u);
    CHECK(a.silent_inside == std::vector<std::size_t>{1});
  }
  SUBCASE("dropped after hop 2: timeout, last answering hop 2") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}), hop(2, {time_exceeded(kTraceR2)}), silent_hop(3),
                                silent_hop(4)};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::silence);
    CHECK(a.outcome == Outcome::timeout);
    CHECK_FALSE(a.final_hop);
    CHECK(a.last_answering == 1u);
    CHECK(a.silent_inside.empty());
    CHECK(a.unanswered);
  }
  SUBCASE("rejected by a router: its ICMP decides the outcome") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}),
                                hop(2, {icmp_answer(kTraceR2, 3, 1, Outcome::unreachable)})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::answered);
    CHECK(a.outcome == Outcome::unreachable);
    CHECK(a.rejected);
    CHECK_FALSE(a.target_answered);
  }
  SUBCASE("the target's admin-prohibited is a rejection, its port unreachable is not") {
    std::vector<core::Hop> hops{hop(1, {icmp_answer(kTraceServer, 3, 13, Outcome::filtered)})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::answered);
    CHECK(a.outcome == Outcome::filtered);
    CHECK(a.rejected);
    CHECK(a.target_answered);
    hops = {hop(1, {icmp_answer(kTraceServer, 3, 3, Outcome::refused)})};
    a = core::analyze_trace(hops, kTraceServer, TraceEnd::answered);
    CHECK(a.outcome == Outcome::refused);
    CHECK_FALSE(a.rejected);
    // A port unreachable from a router on the path is still a rejection.
    hops = {hop(1, {icmp_answer(kTraceR1, 3, 3, Outcome::refused)})};
    CHECK(core::analyze_trace(hops, kTraceServer, TraceEnd::answered).rejected);
  }
  SUBCASE("out of TTL: unreachable while hops still answer, timeout when the last was silent") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}), hop(2, {time_exceeded(kTraceR2)})};
    CHECK(core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops).outcome == Outcome::unreachable);
    CHECK_FALSE(core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops).unanswered);
    hops.push_back(silent_hop(3));
    const auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops);
    CHECK(a.outcome == Outcome::timeout);
    CHECK(a.unanswered);  // dropped after hop 2, as when --max-silent ends it
    CHECK(a.last_answering == 1u);
  }
}

TEST_CASE("core::analyze_trace interrupted: no final hop, no drop claimed, the hops' findings kept") {
  std::vector<core::Hop> hops{silent_hop(1), hop(2, {time_exceeded(kTraceR2)}), silent_hop(3)};
  const auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::interrupted);
  CHECK(core::trace_end_name(a.end) == "interrupted");
  CHECK_FALSE(a.final_hop);
  CHECK_FALSE(a.unanswered);
  CHECK_FALSE(a.rejected);
  CHECK(a.last_answering == 1u);
  CHECK(a.silent_inside == std::vector<std::size_t>{0});
  CHECK(a.quotes == 1);
}

TEST_CASE("core::analyze_trace rewrites") {
  SUBCASE("MSS clamped by router1: first seen in hop 2's quote, after hop 1's") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1), time_exceeded(kTraceR1)}),
                                hop(2, {time_exceeded(kTraceR2, 1, {"mss 1460->1200"})}),
                                hop(3, {tcp_answer(SA)})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::answered);
    REQUIRE(a.rewrites.size() == 1);
    CHECK(a.rewrites[0].seen_at == 1);
    CHECK(a.rewrites[0].after == 0u);
    CHECK(a.rewrites[0].changes == std::vector<std::string>{"mss 1460->1200"});
    CHECK(a.quotes == 2);
    CHECK(a.quotes_compared == 2);
  }
  SUBCASE("a change is reported once, at the first hop that shows it; later changes on their own") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1, 1, {"mss 1460->1400"})}),
                                hop(2, {time_exceeded(kTraceR2, 1, {"mss 1460->1400"})}),
                                hop(3, {time_exceeded(kTraceR2, 1, {"mss 1460->1400", "wscale stripped"})})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops);
    REQUIRE(a.rewrites.size() == 2);
    CHECK(a.rewrites[0].seen_at == 0);
    CHECK_FALSE(a.rewrites[0].after);
    CHECK(a.rewrites[1].seen_at == 2);
    CHECK(a.rewrites[1].after == 1u);
    CHECK(a.rewrites[1].changes == std::vector<std::string>{"wscale stripped"});
  }
  SUBCASE("a short quote cannot clear a hop of a TCP rewrite") {
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1)}), hop(2, {time_exceeded(kTraceR2, 1, {}, true)}),
                                silent_hop(3), hop(4, {time_exceeded(kTraceR2, 1, {"sack_permitted stripped"})})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops);
    REQUIRE(a.rewrites.size() == 1);
    CHECK(a.rewrites[0].seen_at == 3);
    CHECK(a.rewrites[0].after == 0u);  // hop 2's quote stopped before the options
    CHECK(a.quotes == 3);
    CHECK(a.quotes_compared == 2);
  }
  SUBCASE("IP-level changes are seen in short quotes too") {
    auto short_te = time_exceeded(kTraceR2, 1, {}, true);
    short_te.quote->ip_changes = {"dscp 10->0"};
    std::vector<core::Hop> hops{hop(1, {time_exceeded(kTraceR1, 1, {}, true)}), hop(2, {short_te})};
    auto a = core::analyze_trace(hops, kTraceServer, TraceEnd::max_hops);
    REQUIRE(a.rewrites.size() == 1);
    CHECK(a.rewrites[0].after == 0u);
    CHECK(a.rewrites[0].changes == std::vector<std::string>{"dscp 10->0"});
    CHECK(a.quotes_compared == 0);
  }
}
