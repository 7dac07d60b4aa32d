#include "tcphs/core/outcome_guide.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using namespace tcphs::core;

namespace {

bool lists(const OutcomeGuide& g, Family f, int type, int code) {
  return std::any_of(g.icmp.begin(), g.icmp.end(),
                     [&](const IcmpCode& c) { return c.family == f && c.type == type && c.code == code; });
}

/// The ICMP errors the RFCs define that can answer a SYN (RFC 792, 1812,
/// 4443, 6550, 8883): destination unreachable and time exceeded.
std::vector<IcmpCode> defined_codes() {
  std::vector<IcmpCode> all;
  for (std::uint8_t c = 0; c <= 15; ++c) all.push_back({Family::ipv4, 3, c});
  for (std::uint8_t c = 0; c <= 1; ++c) all.push_back({Family::ipv4, 11, c});
  for (std::uint8_t c = 0; c <= 8; ++c) all.push_back({Family::ipv6, 1, c});
  for (std::uint8_t c = 0; c <= 1; ++c) all.push_back({Family::ipv6, 3, c});
  return all;
}

}  // namespace

TEST_CASE("core::outcome_guide") {
  SUBCASE("one complete row per outcome") {
    for (Outcome o : all_outcomes) {
      CAPTURE(outcome_word(o));
      const auto& g = outcome_guide(o);
      CHECK(g.outcome == o);
      CHECK_FALSE(g.seen.empty());
      CHECK(g.causes.size() >= 2);
      CHECK(g.next.size() >= 2);
      CHECK_FALSE(g.connect_mode.empty());
      CHECK_FALSE(g.connect_errnos.empty());
    }
  }

  SUBCASE("the ICMP codes listed are exactly those the classifier maps to the row") {
    for (const IcmpCode& c : defined_codes()) {
      CAPTURE(c.type);
      CAPTURE(c.code);
      CAPTURE(family_name(c.family));
      auto verdict = classify_icmp(c.family, c.type, c.code);
      REQUIRE(verdict);
      for (Outcome o : all_outcomes) CHECK(lists(outcome_guide(o), c.family, c.type, c.code) == (*verdict == o));
    }
    // No row lists a code outside that set (a typo such as 3/33).
    for (Outcome o : all_outcomes)
      for (const IcmpCode& c : outcome_guide(o).icmp) {
        auto all = defined_codes();
        CHECK(std::any_of(all.begin(), all.end(), [&](const IcmpCode& d) {
          return d.family == c.family && d.type == c.type && d.code == c.code;
        }));
      }
  }

  SUBCASE("SPEC §2: no ICMP for open and timeout; port unreachable refuses") {
    CHECK(outcome_guide(Outcome::open).icmp.empty());
    CHECK(outcome_guide(Outcome::timeout).icmp.empty());
    CHECK(lists(outcome_guide(Outcome::refused), Family::ipv4, 3, 3));
    CHECK(lists(outcome_guide(Outcome::refused), Family::ipv6, 1, 4));
    CHECK(lists(outcome_guide(Outcome::filtered), Family::ipv4, 3, 13));
    CHECK(lists(outcome_guide(Outcome::unreachable), Family::ipv4, 11, 0));
  }

  SUBCASE("the connect() errors listed are exactly those the classifier maps to the row") {
    for (int e = 0; e < 200; ++e) {
      CAPTURE(e);
      auto verdict = classify_connect_errno(e);
      for (Outcome o : all_outcomes) {
        const auto& errs = outcome_guide(o).connect_errnos;
        const bool listed = std::find(errs.begin(), errs.end(), e) != errs.end();
        CHECK(listed == (verdict && *verdict == o));
      }
    }
  }

  SUBCASE("a timeout and a rejection point at tcphs trace") {
    for (Outcome o : {Outcome::timeout, Outcome::filtered, Outcome::unreachable}) {
      CAPTURE(outcome_word(o));
      const auto& next = outcome_guide(o).next;
      CHECK(std::any_of(next.begin(), next.end(),
                        [](std::string_view s) { return s.find("tcphs trace HOST:PORT") != s.npos; }));
    }
  }
}
