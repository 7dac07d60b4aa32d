#include "tcphs/core/isn_fit.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace tcphs::core;

TEST_CASE("core::fit_line") {
  SUBCASE("points on a line give it back with no residual") {
    const std::vector<double> x{0, 1, 2, 3};
    const std::vector<double> y{5, 1005, 2005, 3005};
    auto f = fit_line(x, y);
    REQUIRE(f);
    CHECK(f->slope == doctest::Approx(1000));
    CHECK(f->intercept == doctest::Approx(5));
    CHECK(f->rms == doctest::Approx(0).epsilon(1e-9));
    CHECK(f->points == 4);
  }
  SUBCASE("scattered points: the least-squares line and its residual") {
    // y = 2x + 1 with residuals +1, -1, -1, +1: the line is unchanged.
    const std::vector<double> x{0, 1, 2, 3};
    const std::vector<double> y{2, 2, 4, 8};
    auto f = fit_line(x, y);
    REQUIRE(f);
    CHECK(f->slope == doctest::Approx(2));
    CHECK(f->intercept == doctest::Approx(1));
    CHECK(f->rms == doctest::Approx(1));
  }
  SUBCASE("large values keep their precision") {
    const std::vector<double> x{0, 0.2, 0.4, 0.6};
    const std::vector<double> y{4.2e9, 4.2e9 + 200, 4.2e9 + 400, 4.2e9 + 600};
    auto f = fit_line(x, y);
    REQUIRE(f);
    CHECK(f->slope == doctest::Approx(1000).epsilon(1e-9));
  }
  SUBCASE("no line from one point, constant x, or unequal spans") {
    CHECK_FALSE(fit_line(std::vector<double>{1}, std::vector<double>{1}));
    CHECK_FALSE(fit_line(std::vector<double>{2, 2, 2}, std::vector<double>{1, 2, 3}));
    CHECK_FALSE(fit_line(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2}));
  }
}

TEST_CASE("core::unwrap_counter") {
  SUBCASE("a wrap past 2^32 continues the count") {
    const std::vector<std::uint32_t> r{0xfffffc18u, 0x000003e8u, 0x00000bb8u};  // -1000, +1000, +3000
    const auto u = unwrap_counter(r);
    REQUIRE(u.size() == 3);
    CHECK(u[1] - u[0] == 2000);
    CHECK(u[2] - u[1] == 2000);
  }
  SUBCASE("a small step back stays small") {
    const auto u = unwrap_counter(std::vector<std::uint32_t>{500, 480});
    CHECK(u[1] - u[0] == -20);
  }
  SUBCASE("empty in, empty out") { CHECK(unwrap_counter(std::vector<std::uint32_t>{}).empty()); }
}

TEST_CASE("core::seconds_since_first") {
  const auto s = seconds_since_first(std::vector<std::int64_t>{1'700'000'000'000'000'000, 1'700'000'000'250'000'000});
  REQUIRE(s.size() == 2);
  CHECK(s[0] == 0);
  CHECK(s[1] == doctest::Approx(0.25));
}
