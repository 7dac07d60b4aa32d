#include <doctest/doctest.h>

#include "tcphs/core/scan_rate.hpp"
#include "tcphs/core/scan_wait.hpp"

using namespace tcphs;
using namespace std::chrono_literals;

TEST_CASE("core::TokenBucket") {
  const core::Instant t0{std::chrono::seconds(100)};
  core::TokenBucket bucket(10'000, 64, t0);  // one token per 100 µs

  SUBCASE("starts full, then refills at the rate") {
    CHECK(bucket.take(t0, 100) == 64);
    CHECK(bucket.take(t0, 1) == 0);
    CHECK(bucket.take(t0 + 1ms, 100) == 10);
    CHECK(bucket.take(t0 + 1ms + 50us, 100) == 0);
    CHECK(bucket.take(t0 + 1ms + 100us, 100) == 1);
  }
  SUBCASE("never more than the burst, however long idle") { CHECK(bucket.take(t0 + 10s, 1000) == 64); }
  SUBCASE("time going backwards adds nothing") {
    bucket.take(t0 + 1s, 64);
    CHECK(bucket.take(t0, 10) == 0);
  }
  SUBCASE("next_tokens_at waits for the whole batch") {
    bucket.take(t0, 64);
    CHECK(bucket.next_tokens_at(t0) > t0 + 99us);
    CHECK(bucket.next_tokens_at(t0) <= t0 + 101us);
    const auto batch = bucket.next_tokens_at(t0, 64);
    CHECK(batch > t0 + 6399us);
    CHECK(batch <= t0 + 6401us);
    CHECK(bucket.take(batch, 100) == 64);
    CHECK(bucket.next_tokens_at(t0 + 1s, 1000) == t0 + 1s);  // capped at the burst, already there
  }
  SUBCASE("refund gives back unused tokens, up to the burst") {
    bucket.take(t0, 64);
    bucket.refund(5);
    CHECK(bucket.take(t0, 100) == 5);
    bucket.refund(1000);
    CHECK(bucket.take(t0, 1000) == 64);
  }
  SUBCASE("set_rate changes the refill and the burst from then on") {
    bucket.take(t0, 64);
    bucket.set_rate(1000, t0, 8);
    CHECK(bucket.take(t0 + 5ms, 100) == 5);
    CHECK(bucket.rate() == 1000);
    CHECK(bucket.take(t0 + 10s, 100) == 8);
  }
}

TEST_CASE("core::burst_for_rate") {
  CHECK(core::burst_for_rate(1000) == 5);
  CHECK(core::burst_for_rate(50) == 1);
  CHECK(core::burst_for_rate(200'000) == 1000);
  CHECK(core::burst_for_rate(1'000'000) == core::max_scan_burst);
}

TEST_CASE("core::RttHistogram") {
  core::RttHistogram h;
  CHECK_FALSE(h.quantile(0.99));
  SUBCASE("a quantile is never below the true one, and within an eighth of an octave") {
    for (std::int64_t us = 1; us <= 100; ++us) h.add(us * 1000);
    const auto p99 = h.quantile(0.99);
    REQUIRE(p99);
    CHECK(*p99 >= 99'000);
    CHECK(*p99 <= 99'000 * 9 / 8 + 1);
    const auto median = *h.quantile(0.5);
    CHECK(median >= 50'000);
    CHECK(median <= 50'000 * 9 / 8 + 1);
  }
  SUBCASE("tiny and huge values stay in range") {
    h.add(-5);
    h.add(0);
    h.add(std::int64_t{1} << 40);
    CHECK(*h.quantile(0.5) == 1024);
    CHECK(*h.quantile(1.0) >= std::int64_t{1} << 37);
  }
}

TEST_CASE("core::adaptive_wait") {
  core::WaitPolicy policy{20ms, 1s, 3.0};
  core::RttHistogram h;
  CHECK(core::adaptive_wait(h, policy) == 1s);  // nothing measured yet
  for (int i = 0; i < 200; ++i) h.add(50'000);   // 50 µs on a LAN
  CHECK(core::adaptive_wait(h, policy) == 20ms);
  core::RttHistogram wan;
  for (int i = 0; i < 200; ++i) wan.add(100'000'000);  // 100 ms
  const auto w = core::adaptive_wait(wan, policy);
  CHECK(w >= 300ms);
  CHECK(w <= 340ms);
  core::RttHistogram far;
  for (int i = 0; i < 200; ++i) far.add(2'000'000'000);
  CHECK(core::adaptive_wait(far, policy) == 1s);
}
