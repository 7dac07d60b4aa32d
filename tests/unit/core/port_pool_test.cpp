#include <doctest/doctest.h>

#include <set>

#include "tcphs/core/port_pool.hpp"

using tcphs::core::PortPool;

namespace {
// Every port the pool hands out over two full cycles.
std::set<unsigned> drawn(PortPool pool) {
  std::set<unsigned> seen;
  const unsigned size = pool.high() - pool.low() + 1u;
  for (unsigned i = 0; i < 2 * size; ++i) seen.insert(pool.next());
  return seen;
}
}  // namespace

TEST_CASE("core::PortPool stays outside the ephemeral range") {
  struct Case {
    unsigned lo, hi, want_low, want_high;
  };
  const Case cases[] = {
      {32768, 60999, 61000, 65535},  // Linux's default: the ports above
      {1024, 60999, 61000, 65535},   // nothing below 1024 free: above
      {32768, 65535, 1024, 32767},   // the range reaches the top: below
      {10000, 65000, 1024, 9999},    // 535 above, 8976 below: below
      {1500, 65000, 65001, 65535},   // 535 above, 476 below: above
      {1024, 65535, 1, 1023},        // only the privileged ports are left
      {1, 65535, 1, 65535},          // no port is free: the whole space
  };
  for (const Case& c : cases) {
    CAPTURE(c.lo);
    CAPTURE(c.hi);
    for (std::uint32_t seed : {0u, 1u, 4535u, 0xFFFFFFFFu}) {
      PortPool pool(static_cast<std::uint16_t>(c.lo), static_cast<std::uint16_t>(c.hi), seed);
      CHECK(pool.low() == c.want_low);
      CHECK(pool.high() == c.want_high);
      const auto seen = drawn(pool);
      // Every port of the pool comes out, and nothing else.
      CHECK(seen.size() == c.want_high - c.want_low + 1);
      CHECK(*seen.begin() == c.want_low);
      CHECK(*seen.rbegin() == c.want_high);
      if (!(c.lo == 1 && c.hi == 65535)) {
        for (unsigned p : seen) CHECK_FALSE((p >= c.lo && p <= c.hi));
      }
    }
  }
}

TEST_CASE("core::PortPool cycles from a seeded start") {
  PortPool a(32768, 60999, 7), b(32768, 60999, 7), c(32768, 60999, 8);
  CHECK(a.next() == 61007);
  CHECK(b.next() == 61007);
  CHECK(c.next() == 61008);
  PortPool top(32768, 60999, 4535);  // the last port, then wraps to the first
  CHECK(top.next() == 65535);
  CHECK(top.next() == 61000);
}
