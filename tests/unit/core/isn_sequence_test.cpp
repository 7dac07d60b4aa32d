#include "tcphs/core/isn_sequence.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "tcphs/core/isn_analysis.hpp"

using namespace tcphs::core;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000'000'000;  // ns

/// `n` samples about 100 ms apart (a few ms of deterministic jitter), odd
/// numbers on port 61000 and even ones on a port of their own, as isn sends
/// them; `isn_at(i, seconds)` gives each ISN.
std::vector<IsnSample> series(int n, const std::function<std::uint32_t(int, double)>& isn_at) {
  std::vector<IsnSample> out;
  std::int64_t t = t0;
  for (int i = 0; i < n; ++i) {
    IsnSample s;
    s.number = static_cast<std::uint32_t>(i + 1);
    s.source_port = static_cast<std::uint16_t>(s.number % 2 ? 61000 : 61000 + s.number);
    s.rx_ns = t;
    s.isn = isn_at(i, static_cast<double>(t - t0) / 1e9);
    out.push_back(s);
    t += 100'000'000 + (i % 3) * 3'000'000;
  }
  return out;
}

}  // namespace

TEST_CASE("core::analyse_sequence") {
  SUBCASE("constant increments per connection: predictable, GCD the step") {
    auto a = analyse_sequence(series(20, [](int i, double) { return 1000u + 12345u * static_cast<std::uint32_t>(i); }));
    CHECK(a.verdict == IsnVerdict::predictable);
    CHECK(a.gcd == 12345);
    REQUIRE(a.deltas.size() == 19);
    for (auto d : a.deltas) CHECK(d == 12345);
    CHECK(a.sp_index == 0);  // rates / GCD are 1/dt: spread under 1
    CHECK(*a.guess_bits == doctest::Approx(0));
    CHECK_FALSE(a.one_connection);
  }
  SUBCASE("the 64K rule: GCD 64000, about 620000 increments/s") {
    auto a = analyse_sequence(series(20, [](int i, double) { return 7u + 64000u * static_cast<std::uint32_t>(i); }));
    CHECK(a.verdict == IsnVerdict::predictable);
    CHECK(a.gcd == 64000);
    REQUIRE(a.increments_per_s);
    // mean of 64000/dt over dt = 0.100, 0.103, 0.106 s
    CHECK(*a.increments_per_s == doctest::Approx(64000 * (1 / 0.1 + 1 / 0.103 + 1 / 0.106) / 3).epsilon(0.01));
  }
  SUBCASE("the 64K rule across the 32-bit wrap: the step, not 2^32 minus it") {
    // 0xfffe0000 + 64000 i passes 2^32 at i = 3.
    auto a = analyse_sequence(
        series(8, [](int i, double) { return 0xfffe0000u + 64000u * static_cast<std::uint32_t>(i); }));
    REQUIRE(a.deltas.size() == 7);
    for (auto d : a.deltas) CHECK(d == 64000);
    CHECK(a.gcd == 64000);
    CHECK(a.verdict == IsnVerdict::predictable);
    CHECK(*a.guess_bits == doctest::Approx(0));
  }
  SUBCASE("a 250 kHz clock that wraps past 2^32: deltas stay small") {
    auto a = analyse_sequence(series(20, [](int, double t) {
      return static_cast<std::uint32_t>(0xfffe0000u + static_cast<std::uint64_t>(std::llround(250000 * t)));
    }));
    CHECK(a.verdict == IsnVerdict::predictable);
    for (auto d : a.deltas) CHECK(d < 30000);
    REQUIRE(a.increments_per_s);
    CHECK(*a.increments_per_s == doctest::Approx(250000).epsilon(0.001));
    CHECK(a.gcd % 250 == 0);  // every step is 25000, 25750 or 26500
    CHECK(*a.guess_bits < 12);
  }
  SUBCASE("random ISNs: unpredictable, an SP index like nmap's for Linux") {
    std::mt19937 rng(11);
    auto a = analyse_sequence(series(20, [&](int, double) { return static_cast<std::uint32_t>(rng()); }));
    CHECK(a.verdict == IsnVerdict::unpredictable);
    REQUIRE(a.sp_index);
    CHECK(*a.sp_index > 240);
    CHECK(*a.sp_index < 290);
    CHECK(*a.guess_bits > 28);
    CHECK(a.gcd < 10);
  }
  SUBCASE("random increments within 2^20 are still guessable") {
    std::mt19937 rng(5);
    std::uint32_t isn = 99;
    auto a = analyse_sequence(series(20, [&](int, double) { return isn += rng() % (1u << 20); }));
    CHECK(a.verdict == IsnVerdict::predictable);
    CHECK(*a.guess_bits < 20);
  }
  SUBCASE("one ISN for everyone") {
    auto a = analyse_sequence(series(6, [](int, double) { return 42u; }));
    CHECK(a.verdict == IsnVerdict::constant);
    CHECK(a.gcd == 0);
    CHECK(a.sp_index == 0);
  }
  SUBCASE("fewer than 3 samples: no verdict") {
    auto a = analyse_sequence(series(2, [](int i, double) { return 10u * static_cast<std::uint32_t>(i); }));
    CHECK(a.verdict == IsnVerdict::unknown);
    CHECK(a.deltas.size() == 1);
    CHECK_FALSE(a.sp_index);
  }
  SUBCASE("Linux: a 15.625 MHz clock per 4-tuple under a hash that differs per 4-tuple") {
    std::mt19937 rng(3);
    auto samples = series(20, [&](int i, double t) {
      const std::uint32_t hash = i % 2 == 0 ? 0x1234567u : static_cast<std::uint32_t>(rng());
      return hash + static_cast<std::uint32_t>(static_cast<std::uint64_t>(t * 15.625e6));
    });
    auto a = analyse_sequence(samples);
    CHECK(a.verdict == IsnVerdict::unpredictable);
    REQUIRE(a.connection_clock_hz);
    CHECK(*a.connection_clock_hz == doctest::Approx(15.625e6).epsilon(0.001));
    CHECK(a.connection_clock_samples == 10);
  }
  SUBCASE("random ISNs on the reused 4-tuple are no clock") {
    std::mt19937 rng(8);
    auto a = analyse_sequence(series(20, [&](int, double) { return static_cast<std::uint32_t>(rng()); }));
    CHECK_FALSE(a.connection_clock_hz);
  }
}

TEST_CASE("core::analyse_isn") {
  SUBCASE("samples are put in receive order first") {
    auto samples = series(8, [](int i, double) { return 1000u * static_cast<std::uint32_t>(i + 1); });
    std::vector<IsnSample> shuffled{samples[3], samples[0], samples[7], samples[1],
                                    samples[5], samples[2], samples[6], samples[4]};
    auto a = analyse_isn(shuffled, SynOffer{});
    CHECK(a.samples == 8);
    CHECK(a.connections == 5);  // port 61000 and four ports of their own
    for (auto d : a.sequence.deltas) CHECK(d == 1000);
    CHECK(a.sequence.verdict == IsnVerdict::predictable);
  }
}

TEST_CASE("core::isn_verdict_word") {
  CHECK(isn_verdict_word(IsnVerdict::unpredictable) == "unpredictable");
  CHECK(isn_verdict_word(IsnVerdict::predictable) == "predictable");
  CHECK(isn_verdict_word(IsnVerdict::constant) == "constant");
  CHECK(isn_verdict_word(IsnVerdict::unknown) == "unknown");
}

TEST_CASE("core::mod_diff") {
  CHECK(mod_diff(10, 25) == 15);
  CHECK(mod_diff(25, 10) == 15);
  CHECK(mod_diff(0xfffffff0u, 0x10u) == 0x20);
  CHECK(forward_delta(0xfffffff0u, 0x10u) == 0x20);
  CHECK(forward_delta(0x10u, 0xfffffff0u) == 0xffffffe0u);
}
