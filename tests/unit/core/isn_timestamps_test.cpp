#include "tcphs/core/isn_timestamps.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <vector>

using namespace tcphs::core;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000'000'000;  // ns

/// `n` samples 110 ms apart (plus up to 0.2 ms of jitter), odd numbers on
/// port 61000, even ones on a port of their own; `ts_at(port, seconds)`
/// gives each TSval, none for no timestamps option.
std::vector<IsnSample> series(int n, const std::function<std::optional<std::uint32_t>(std::uint16_t, double)>& ts_at) {
  std::vector<IsnSample> out;
  for (int i = 0; i < n; ++i) {
    IsnSample s;
    s.number = static_cast<std::uint32_t>(i + 1);
    s.source_port = static_cast<std::uint16_t>(s.number % 2 ? 61000 : 61000 + s.number);
    s.rx_ns = t0 + i * 110'000'000LL + (i * 37 % 5) * 40'000;
    s.tsval = ts_at(s.source_port, static_cast<double>(s.rx_ns - t0) / 1e9);
    out.push_back(s);
  }
  return out;
}

/// A millisecond clock as Linux keeps it: whole ticks, read when the SYN-ACK left.
std::uint32_t ms(double uptime_s) { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(uptime_s * 1000)); }

/// Per-4-tuple random offsets, as net.ipv4.tcp_timestamps=1 gives on Linux 6.18.
std::uint32_t offset_of(std::uint16_t port) {
  std::mt19937 rng(port);
  return static_cast<std::uint32_t>(rng());
}

}  // namespace

TEST_CASE("core::analyse_timestamps") {
  SUBCASE("1000 Hz with a random offset per connection") {
    auto a = analyse_timestamps(series(20, [](std::uint16_t port, double t) { return offset_of(port) + ms(5000 + t); }));
    CHECK(a.with_timestamps == 20);
    REQUIRE(a.clock_hz);
    CHECK(*a.clock_hz == doctest::Approx(1000).epsilon(0.002));
    CHECK(a.nominal_hz == 1000);
    CHECK(a.fit_samples == 10);
    CHECK(a.offset == TsOffset::per_connection);
    CHECK(a.offset_compared == 10);
    CHECK(a.offset_off_line == 10);
    CHECK_FALSE(a.uptime_s);
  }
  SUBCASE("one global 1000 Hz clock: shared, and it tells the uptime") {
    auto a = analyse_timestamps(series(20, [](std::uint16_t, double t) { return ms(3600 + t); }));
    CHECK(a.offset == TsOffset::shared);
    CHECK(a.offset_off_line == 0);
    CHECK(a.nominal_hz == 1000);
    REQUIRE(a.uptime_s);
    CHECK(*a.uptime_s == doctest::Approx(3600 + 19 * 0.110).epsilon(1e-4));
  }
  SUBCASE("a global clock that wraps past 2^32 keeps its rate") {
    auto a = analyse_timestamps(series(20, [](std::uint16_t, double t) { return 0xffffff00u + ms(t); }));
    REQUIRE(a.clock_hz);
    CHECK(*a.clock_hz == doctest::Approx(1000).epsilon(0.002));
    CHECK(a.offset == TsOffset::shared);
  }
  SUBCASE("100 Hz") {
    auto a = analyse_timestamps(series(20, [](std::uint16_t, double t) {
      return static_cast<std::uint32_t>(static_cast<std::uint64_t>((86400 + t) * 100));
    }));
    CHECK(a.nominal_hz == 100);
    REQUIRE(a.uptime_s);
    CHECK(*a.uptime_s == doctest::Approx(86402).epsilon(1e-4));
  }
  SUBCASE("no timestamps offered: nothing invented") {
    auto a = analyse_timestamps(series(10, [](std::uint16_t, double) { return std::nullopt; }));
    CHECK(a.samples == 10);
    CHECK(a.with_timestamps == 0);
    CHECK_FALSE(a.clock_hz);
    CHECK_FALSE(a.nominal_hz);
    CHECK(a.offset == TsOffset::unknown);
    CHECK_FALSE(a.uptime_s);
  }
  SUBCASE("TSval 0 throughout") {
    auto a = analyse_timestamps(series(10, [](std::uint16_t, double) { return 0u; }));
    CHECK(a.all_zero);
    CHECK_FALSE(a.clock_hz);
  }
  SUBCASE("random on every SYN, even on the reused 4-tuple: no rate, per-connection") {
    std::mt19937 rng(9);
    auto a = analyse_timestamps(series(20, [&](std::uint16_t, double) { return static_cast<std::uint32_t>(rng()); }));
    CHECK_FALSE(a.clock_hz);
    CHECK(a.offset == TsOffset::per_connection);
  }
  SUBCASE("one 4-tuple only: a rate, but nothing to compare the offset with") {
    auto s = series(10, [](std::uint16_t port, double t) { return offset_of(port) + ms(t); });
    for (auto& x : s) {
      x.source_port = 62000;
      x.tsval = offset_of(62000) + ms(static_cast<double>(x.rx_ns - t0) / 1e9);
    }
    auto a = analyse_timestamps(s);
    CHECK(a.nominal_hz == 1000);
    CHECK(a.offset == TsOffset::unknown);
    CHECK(a.offset_compared == 0);
  }
  SUBCASE("SYN-cookie TSvals, rounded down to 64 ms, still give the rate") {
    auto a = analyse_timestamps(series(20, [](std::uint16_t port, double t) {
      const std::uint32_t now = ms(777 + t);
      std::uint32_t ts = (now >> 6 << 6) | 0x17;
      if (ts > now) ts -= 64;
      return ts + offset_of(port);
    }));
    REQUIRE(a.clock_hz);
    CHECK(*a.clock_hz == doctest::Approx(1000).epsilon(0.05));
    CHECK(a.nominal_hz == 1000);
    CHECK(a.offset == TsOffset::per_connection);
  }
}

TEST_CASE("core::ts_offset_word") {
  CHECK(ts_offset_word(TsOffset::per_connection) == "per_connection");
  CHECK(ts_offset_word(TsOffset::shared) == "shared");
  CHECK(ts_offset_word(TsOffset::unknown) == "unknown");
}
