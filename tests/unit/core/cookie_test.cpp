#include "tcphs/core/cookie.hpp"

#include <doctest/doctest.h>

#include <set>
#include <vector>

using namespace tcphs::core;

namespace {

CookieKey key_00_to_0f() {
  std::array<std::uint8_t, 16> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return CookieKey(k);
}

std::vector<std::uint8_t> counting_bytes(std::size_t n) {
  std::vector<std::uint8_t> m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<std::uint8_t>(i);
  return m;
}

FlowKey v4_flow() {
  return FlowKey{IpAddress::v4(127, 0, 0, 1), IpAddress::v4(127, 0, 0, 2), 40000, 80};
}

FlowKey v6_flow() {
  return FlowKey{*IpAddress::parse("::1"), *IpAddress::parse("fd00::2"), 40000, 443};
}

}  // namespace

TEST_CASE("core::siphash24") {
  // Reference vectors of the SipHash paper (Aumasson & Bernstein 2012,
  // Appendix A) and its reference code's vectors.h: key 00..0f, message
  // 00..(n-1); the paper's worked example is n = 15.
  const CookieKey key = key_00_to_0f();
  CHECK(siphash24(key, counting_bytes(0)) == 0x726fdb47dd0e0e31ULL);
  CHECK(siphash24(key, counting_bytes(8)) == 0x93f5f5799a932462ULL);
  CHECK(siphash24(key, counting_bytes(15)) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("core::syn_cookie") {
  const CookieKey key = key_00_to_0f();

  SUBCASE("is the low half of SipHash over the documented IPv4 serialisation") {
    const std::vector<std::uint8_t> msg = {4,    127, 0, 0, 1, 127, 0, 0, 2,  // family, local, remote
                                           0x9c, 0x40, 0x00, 0x50,           // 40000, 80
                                           0,    0,    0,    1};             // attempt 1
    CHECK(syn_cookie(key, v4_flow(), 1) == static_cast<std::uint32_t>(siphash24(key, msg)));
  }
  SUBCASE("is the low half of SipHash over the documented IPv6 serialisation") {
    std::vector<std::uint8_t> msg = {6};
    for (int i = 0; i < 15; ++i) msg.push_back(0);
    msg.push_back(1);  // ::1
    msg.push_back(0xfd);
    for (int i = 0; i < 14; ++i) msg.push_back(0);
    msg.push_back(2);  // fd00::2
    for (std::uint8_t b : {0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x03}) msg.push_back(b);
    CHECK(syn_cookie(key, v6_flow(), 3) == static_cast<std::uint32_t>(siphash24(key, msg)));
  }
  SUBCASE("is deterministic for the same key bytes") {
    const CookieKey same = key_00_to_0f();
    CHECK(syn_cookie(key, v4_flow(), 1) == syn_cookie(same, v4_flow(), 1));
    CHECK(syn_cookie(key, v6_flow(), 2) == syn_cookie(same, v6_flow(), 2));
  }
  SUBCASE("changes with every input") {
    std::array<std::uint8_t, 16> other_bytes = key.bytes();
    other_bytes[15] ^= 1;
    const CookieKey other(other_bytes);

    FlowKey lport = v4_flow(), rport = v4_flow(), laddr = v4_flow(), raddr = v4_flow();
    lport.local_port = 40001;
    rport.remote_port = 81;
    laddr.local = IpAddress::v4(127, 0, 0, 3);
    raddr.remote = IpAddress::v4(127, 0, 0, 4);
    FlowKey swapped{v4_flow().remote, v4_flow().local, 80, 40000};
    FlowKey mapped = v4_flow();  // same bytes, IPv4-mapped IPv6 form
    mapped.local = *IpAddress::parse("::ffff:127.0.0.1");
    mapped.remote = *IpAddress::parse("::ffff:127.0.0.2");

    const std::uint32_t cookies[] = {
        syn_cookie(key, v4_flow(), 1), syn_cookie(key, v4_flow(), 2), syn_cookie(other, v4_flow(), 1),
        syn_cookie(key, lport, 1),     syn_cookie(key, rport, 1),     syn_cookie(key, laddr, 1),
        syn_cookie(key, raddr, 1),     syn_cookie(key, swapped, 1),   syn_cookie(key, mapped, 1),
        syn_cookie(key, v6_flow(), 1),
    };
    CHECK(std::set<std::uint32_t>(std::begin(cookies), std::end(cookies)).size() == std::size(cookies));
  }
}

TEST_CASE("core::ack_matches") {
  CHECK(ack_matches(1000, 1001));
  CHECK_FALSE(ack_matches(1000, 1000));
  CHECK_FALSE(ack_matches(1000, 1002));
  CHECK_FALSE(ack_matches(1001, 1000));
  CHECK(ack_matches(0xffffffffu, 0));  // wraps modulo 2^32
  CHECK_FALSE(ack_matches(0xffffffffu, 0xffffffffu));
  static_assert(ack_matches(41, 42));
}
