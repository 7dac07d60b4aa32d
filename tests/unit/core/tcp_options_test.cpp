#include "tcphs/core/tcp_options.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace tcphs::core;

namespace {

TcpOptions decode(const std::vector<std::uint8_t>& bytes) { return decode_tcp_options(bytes); }

using Kinds = std::vector<std::uint8_t>;

}  // namespace

TEST_CASE("core::decode_tcp_options") {
  SUBCASE("Linux SYN layout") {
    auto o = decode({0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x12, 0x67,
                     0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07});
    CHECK(o.mss == 1460);
    CHECK(o.sack_permitted);
    REQUIRE(o.timestamps);
    CHECK(o.timestamps->val == 4711);
    CHECK(o.timestamps->ecr == 0);
    CHECK(o.wscale == 7);
    CHECK_FALSE(o.tfo_cookie);
    CHECK(o.unknown.empty());
    CHECK(o.kinds == Kinds{2, 4, 8, 1, 3});
    CHECK_FALSE(o.malformed);
    CHECK(o.malformed_reason.empty());
  }
  SUBCASE("empty area") {
    auto o = decode({});
    CHECK(o == TcpOptions{});
  }
  SUBCASE("EOL stops the walk; what follows is padding") {
    auto o = decode({0x02, 0x04, 0x05, 0xb4, 0x00, 0xff, 0x09, 0x00});
    CHECK(o.mss == 1460);
    CHECK(o.kinds == Kinds{2, 0});
    CHECK(o.unknown.empty());
    CHECK_FALSE(o.malformed);
  }
  SUBCASE("TFO cookie request and cookie") {
    auto req = decode({0x22, 0x02, 0x01, 0x01});
    REQUIRE(req.tfo_cookie);
    CHECK(req.tfo_cookie->empty());
    CHECK(req.kinds == Kinds{34, 1, 1});
    auto cookie = decode({0x22, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8});
    REQUIRE(cookie.tfo_cookie);
    CHECK(*cookie.tfo_cookie == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK_FALSE(cookie.malformed);
  }
  SUBCASE("SACK blocks are known, not unknown") {
    auto o = decode({0x01, 0x01, 0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2});
    CHECK(o.kinds == Kinds{1, 1, 5});
    CHECK(o.unknown.empty());
    CHECK_FALSE(o.malformed);
  }
  SUBCASE("unknown kinds keep their raw data") {
    auto o = decode({0x1e, 0x04, 0xab, 0xcd, 0xfd, 0x02, 0x02, 0x04, 0x05, 0xb4});
    REQUIRE(o.unknown.size() == 2);
    CHECK(o.unknown[0] == RawOption{30, {0xab, 0xcd}});
    CHECK(o.unknown[1] == RawOption{253, {}});
    CHECK(o.mss == 1460);
    CHECK(o.kinds == Kinds{30, 253, 2});
  }
  SUBCASE("a repeated kind: the later value wins") {
    auto o = decode({0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x04, 0xb0});
    CHECK(o.mss == 1200);
  }
}

TEST_CASE("core::decode_tcp_options malformed") {
  SUBCASE("length 0 stops the walk") {
    auto o = decode({0x02, 0x04, 0x05, 0xb4, 0x1e, 0x00, 0x03, 0x03, 0x07});
    CHECK(o.malformed);
    CHECK(o.malformed_reason == "option 30 at offset 4 has length 0");
    CHECK(o.mss == 1460);
    CHECK_FALSE(o.wscale);
    CHECK(o.kinds == Kinds{2, 30});
  }
  SUBCASE("length 1 stops the walk") {
    auto o = decode({0x08, 0x01, 0x01, 0x03, 0x03, 0x07});
    CHECK(o.malformed);
    CHECK(o.malformed_reason == "option 8 at offset 0 has length 1");
    CHECK_FALSE(o.wscale);
  }
  SUBCASE("a length that overruns the area") {
    auto o = decode({0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01});
    CHECK(o.malformed);
    CHECK(o.malformed_reason == "option 8 at offset 1 has length 10 but only 6 bytes remain");
    CHECK_FALSE(o.timestamps);
    CHECK(o.kinds == Kinds{1, 8});
  }
  SUBCASE("a kind with no length byte") {
    auto o = decode({0x01, 0x01, 0x02});
    CHECK(o.malformed);
    CHECK(o.malformed_reason == "option 2 at offset 2 has no length byte");
  }
  SUBCASE("wrong-length MSS is skipped by its length, the walk goes on") {
    auto o = decode({0x02, 0x03, 0x05, 0x01, 0x03, 0x03, 0x07});
    CHECK(o.malformed);
    CHECK(o.malformed_reason == "option 2 at offset 0 has length 3, wrong for its kind");
    CHECK_FALSE(o.mss);
    CHECK(o.wscale == 7);
    CHECK(o.kinds == Kinds{2, 1, 3});
  }
  SUBCASE("wrong-length window scale") {
    auto o = decode({0x03, 0x04, 0x07, 0x00, 0x02, 0x04, 0x05, 0xb4});
    CHECK(o.malformed);
    CHECK_FALSE(o.wscale);
    CHECK(o.mss == 1460);
  }
  SUBCASE("wrong-length timestamps") {
    auto o = decode({0x08, 0x06, 0, 0, 0, 1, 0x04, 0x02});
    CHECK(o.malformed);
    CHECK_FALSE(o.timestamps);
    CHECK(o.sack_permitted);
  }
  SUBCASE("wrong-length SACK-permitted, SACK and TFO") {
    CHECK(decode({0x04, 0x03, 0x00}).malformed);
    CHECK(decode({0x05, 0x06, 0, 0, 0, 0}).malformed);
    CHECK(decode({0x05, 0x0c, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}).malformed);
    CHECK_FALSE(decode({0x05, 0x12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4}).malformed);
    CHECK(decode({0x22, 0x04, 1, 2}).malformed);
    CHECK(decode({0x22, 0x13, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}).malformed);
  }
  SUBCASE("the first reason is kept") {
    auto o = decode({0x02, 0x03, 0x00, 0x03, 0x02});
    CHECK(o.malformed_reason == "option 2 at offset 0 has length 3, wrong for its kind");
  }
}

TEST_CASE("core::describe_options") {
  TcpOptions o;
  o.mss = 1460;
  o.sack_permitted = true;
  o.timestamps = TcpTimestamps{4711, 0};
  o.wscale = 7;
  o.kinds = {2, 4, 8, 1, 3};
  CHECK(describe_options(o) == "mss 1460,sack,ts 4711/0,nop,wscale 7");

  CHECK(describe_options(TcpOptions{}).empty());
  CHECK(describe_options(decode_tcp_options(std::vector<std::uint8_t>{0x22, 0x02, 0x01, 0x01})) == "tfo,nop,nop");
  CHECK(describe_options(decode_tcp_options(std::vector<std::uint8_t>{0x22, 0x06, 0xca, 0xfe, 0xba, 0xbe, 0x00})) ==
        "tfo cafebabe,eol");
  CHECK(describe_options(decode_tcp_options(std::vector<std::uint8_t>{0x1e, 0x04, 0xab, 0xcd, 0xfd, 0x02})) ==
        "opt 30 abcd,opt 253");
  CHECK(describe_options(decode_tcp_options(std::vector<std::uint8_t>{0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2})) ==
        "sackblocks");
  CHECK(describe_options(decode_tcp_options(std::vector<std::uint8_t>{0x02, 0x03, 0x05, 0x01})) ==
        "mss ?,nop,malformed: option 2 at offset 0 has length 3, wrong for its kind");
  CHECK(describe_options(decode_tcp_options(std::vector<std::uint8_t>{0x1e, 0x00})) ==
        "opt 30 ?,malformed: option 30 at offset 0 has length 0");
}
