#include "tcphs/core/isn_cookies.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace tcphs::core;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000'000'000;  // ns

std::uint32_t hash(std::uint32_t a, std::uint32_t b = 0) {
  std::mt19937 rng(a * 7919 + b);
  return static_cast<std::uint32_t>(rng());
}

/// A Linux server answering SYNs like isn sends them (odd numbers on port
/// 61000, even ones on a port of their own, `spacing_ms` apart), with or
/// without cookies and timestamps. The clock starts `start_s` seconds into
/// a cookie minute; `ts_offset_zero` stands for net.ipv4.tcp_timestamps=2.
struct Server {
  bool cookies = false;
  bool timestamps = true;
  bool ts_offset_zero = false;
  double start_s = 10;
  double spacing_ms = 110;

  std::vector<IsnSample> answer(int n) const {
    std::vector<IsnSample> out;
    for (int i = 0; i < n; ++i) {
      IsnSample s;
      s.number = static_cast<std::uint32_t>(i + 1);
      s.source_port = static_cast<std::uint16_t>(s.number % 2 ? 61000 : 61000 + s.number);
      s.our_isn = hash(s.number, 99);
      const double t = start_s + i * spacing_ms / 1000;
      s.rx_ns = t0 + static_cast<std::int64_t>(t * 1e9);
      const std::uint32_t port = s.source_port;
      if (cookies) {
        const auto count = static_cast<std::uint32_t>(t / 60);
        s.isn = hash(port) + s.our_isn + (count << 24) + ((hash(port, count) + 3) & 0xffffff);
      } else {
        s.isn = hash(port) + static_cast<std::uint32_t>(static_cast<std::uint64_t>(t * 15.625e6));
      }
      if (timestamps) {
        const auto now = static_cast<std::uint32_t>(std::llround(t * 1000));
        std::uint32_t ts = now;
        if (cookies) {
          ts = (now >> 6 << 6) | 0x17;  // wscale 7, SACK
          if (ts > now) ts -= 64;
        }
        s.tsval = ts + (ts_offset_zero ? 0 : hash(port, 1));
      }
      s.wscale = s.sack_permitted = timestamps || !cookies;
      out.push_back(s);
    }
    return out;
  }
};

CookieAnalysis analyse(const Server& server, int n = 20) { return analyse_cookies(server.answer(n), SynOffer{}, 1000.0); }

}  // namespace

TEST_CASE("core::analyse_cookies") {
  SUBCASE("ordinary half-open state: nothing detected") {
    auto a = analyse(Server{});
    CHECK(a.verdict == CookieVerdict::not_detected);
    CHECK(a.isn_follows_syn == CheckResult::no);
    CHECK(a.isn_pairs == 9);
    CHECK(a.isn_repeats == 0);
    CHECK(a.tsval_low_bits == CheckResult::no);
    CHECK(a.options_stripped == CheckResult::no);
    CHECK(a.stripped_of == 20);
  }
  SUBCASE("cookies with timestamps and a per-connection offset") {
    auto a = analyse(Server{.cookies = true});
    CHECK(a.verdict == CookieVerdict::detected);
    CHECK(a.isn_follows_syn == CheckResult::yes);
    CHECK(a.isn_repeats == 9);
    CHECK(a.tsval_low_bits == CheckResult::yes);
    CHECK(a.tsval_samples == 10);
    REQUIRE(a.low_bits);
    CHECK(*a.low_bits == ((0x17 + hash(61000, 1)) & 63));
    CHECK(a.offered_bits == 0x17);
    CHECK(a.options_stripped == CheckResult::no);
  }
  SUBCASE("cookies with a zero offset: the low bits are our SYN's options") {
    auto a = analyse(Server{.cookies = true, .ts_offset_zero = true});
    REQUIRE(a.low_bits);
    CHECK(*a.low_bits == 0x17);
    CHECK(a.low_bits_match_offer);
  }
  SUBCASE("cookies across a minute: one pair steps the counter, the rest repeat") {
    auto a = analyse(Server{.cookies = true, .start_s = 59});
    CHECK(a.isn_counter_steps == 1);
    CHECK(a.isn_repeats == 8);
    CHECK(a.verdict == CookieVerdict::detected);
  }
  SUBCASE("cookies without timestamps: window scale and SACK are gone") {
    auto a = analyse(Server{.cookies = true, .timestamps = false});
    CHECK(a.verdict == CookieVerdict::detected);
    CHECK(a.isn_follows_syn == CheckResult::yes);
    CHECK(a.tsval_low_bits == CheckResult::not_checked);
    CHECK(a.options_stripped == CheckResult::yes);
    CHECK(a.stripped == 20);
  }
  SUBCASE("no timestamps, no cookies") {
    auto a = analyse(Server{.timestamps = false});
    CHECK(a.verdict == CookieVerdict::not_detected);
    CHECK(a.options_stripped == CheckResult::no);
    CHECK(a.stripped == 0);
  }
  SUBCASE("every SYN-ACK bare but no reused 4-tuple to check the ISN: possible") {
    auto s = Server{.cookies = true, .timestamps = false}.answer(6);
    for (auto& x : s) x.source_port = static_cast<std::uint16_t>(62000 + x.number);
    auto a = analyse_cookies(s, SynOffer{}, std::nullopt);
    CHECK(a.isn_follows_syn == CheckResult::not_checked);
    CHECK(a.verdict == CookieVerdict::possible);
  }
  SUBCASE("a stack without window scale and SACK whose ISNs do not follow ours") {
    auto s = Server{.timestamps = false}.answer(10);
    for (auto& x : s) x.wscale = x.sack_permitted = false;
    CHECK(analyse_cookies(s, SynOffer{}, std::nullopt).verdict == CookieVerdict::not_detected);
  }
  SUBCASE("some SYN-ACKs lose the options others have: cookies under a flood") {
    auto s = Server{.timestamps = false}.answer(10);
    s[4].wscale = s[4].sack_permitted = false;
    auto a = analyse_cookies(s, SynOffer{}, std::nullopt);
    CHECK(a.stripped == 1);
    CHECK(a.verdict == CookieVerdict::detected);
  }
  SUBCASE("SYNs 128 ms apart on a 1000 Hz clock: the low bits cannot tell") {
    auto a = analyse(Server{.spacing_ms = 64});
    CHECK(a.tsval_low_bits == CheckResult::inconclusive);
    CHECK(a.verdict == CookieVerdict::not_detected);
  }
  SUBCASE("our SYN offered nothing cookies could drop") {
    SynOffer bare{std::nullopt, false, true, false};
    auto a = analyse_cookies(Server{.timestamps = false}.answer(4), bare, std::nullopt);
    CHECK(a.options_stripped == CheckResult::not_checked);
    CHECK(a.offered_bits == 0xf);
  }
  SUBCASE("no sample, no check") { CHECK(analyse(Server{}, 0).verdict == CookieVerdict::unknown); }
}

TEST_CASE("core::cookie_verdict_word") {
  CHECK(cookie_verdict_word(CookieVerdict::detected) == "detected");
  CHECK(cookie_verdict_word(CookieVerdict::not_detected) == "not_detected");
  CHECK(cookie_verdict_word(CookieVerdict::possible) == "possible");
  CHECK(check_result_word(CheckResult::inconclusive) == "inconclusive");
  CHECK(check_result_word(CheckResult::not_checked) == "n/a");
}
