#include "tcphs/core/stats.hpp"

#include <doctest/doctest.h>

#include <initializer_list>

using namespace tcphs::core;

namespace {

RttStats of(std::initializer_list<std::int64_t> samples) {
  RttStats s;
  for (auto ns : samples) s.add(ns);
  return s;
}

}  // namespace

TEST_CASE("core::RttStats::summary") {
  SUBCASE("no samples, no summary") {
    RttStats s;
    CHECK(s.count() == 0);
    CHECK_FALSE(s.summary().has_value());
  }
  SUBCASE("one sample") {
    auto r = of({1500}).summary();
    REQUIRE(r.has_value());
    CHECK(r->min == 1500);
    CHECK(r->max == 1500);
    CHECK(r->avg == 1500.0);
    CHECK(r->median == 1500.0);
    CHECK(r->p95 == 1500);
    CHECK(r->stddev == 0.0);
  }
  SUBCASE("odd count, unsorted input") {
    RttStats s = of({5000, 1000, 3000});
    CHECK(s.count() == 3);
    auto r = s.summary();
    REQUIRE(r.has_value());
    CHECK(r->min == 1000);
    CHECK(r->max == 5000);
    CHECK(r->avg == doctest::Approx(3000.0));
    CHECK(r->median == 3000.0);
    CHECK(r->p95 == 5000);                                // rank ceil(2.85) = 3
    CHECK(r->stddev == doctest::Approx(1632.993161855));  // sqrt(8e6 / 3), population
  }
  SUBCASE("even count: median is the mean of the middle two") {
    auto r = of({4000, 1000, 3000, 2001}).summary();
    REQUIRE(r.has_value());
    CHECK(r->median == 2500.5);
    CHECK(r->avg == doctest::Approx(2500.25));
    CHECK(r->p95 == 4000);  // rank ceil(3.8) = 4
    // deviations -1500.25, -499.25, 499.75, 1499.75: sum of squares 4999000.75
    CHECK(r->stddev == doctest::Approx(1117.9222636));
  }
  SUBCASE("p95 is the nearest rank, never interpolated") {
    RttStats twenty;
    for (int i = 1; i <= 20; ++i) twenty.add(i * 1000);
    CHECK(twenty.summary()->p95 == 19000);  // ceil(0.95 * 20) = 19 exactly
    RttStats twenty_one = twenty;
    twenty_one.add(21000);
    CHECK(twenty_one.summary()->p95 == 20000);  // ceil(19.95) = 20
    RttStats hundred;
    for (int i = 100; i >= 1; --i) hundred.add(i);
    CHECK(hundred.summary()->p95 == 95);
    CHECK(hundred.summary()->median == 50.5);
  }
  SUBCASE("a large common offset does not cancel the deviation") {
    // Samples 1 s + {4, 7, 13, 16} ns: mean 1 s + 10 ns, variance 90/4.
    auto r = of({1'000'000'004, 1'000'000'007, 1'000'000'013, 1'000'000'016}).summary();
    REQUIRE(r.has_value());
    CHECK(r->avg == doctest::Approx(1'000'000'010.0));
    CHECK(r->stddev == doctest::Approx(4.7434164903).epsilon(1e-9));
  }
}

TEST_CASE("core::loss") {
  CHECK(loss(0, 0) == 0.0);
  CHECK(loss(4, 4) == 0.0);
  CHECK(loss(4, 3) == 0.25);
  CHECK(loss(4, 0) == 1.0);
  CHECK(loss(3, 5) == 0.0);
}
