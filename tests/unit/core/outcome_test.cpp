#include "tcphs/core/outcome.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "tcphs/core/packet.hpp"

using namespace tcphs::core;

namespace {

struct IcmpRow {
  std::uint8_t type;
  std::uint8_t code;
  std::optional<Outcome> outcome;
};

}  // namespace

TEST_CASE("core::outcome_info") {
  // SPEC §2: word and exit code of every outcome.
  struct Row {
    Outcome outcome;
    const char* word;
    int exit_code;
  };
  const Row rows[] = {{Outcome::open, "open", 0},
                      {Outcome::refused, "refused", 1},
                      {Outcome::timeout, "timeout", 2},
                      {Outcome::filtered, "filtered", 3},
                      {Outcome::unreachable, "unreachable", 4}};
  for (const auto& row : rows) {
    CAPTURE(row.word);
    CHECK(outcome_info(row.outcome).outcome == row.outcome);
    CHECK(outcome_word(row.outcome) == row.word);
    CHECK(outcome_info(row.outcome).exit_code == row.exit_code);
    CHECK_FALSE(outcome_info(row.outcome).human.empty());
  }
  // SPEC §2 fixes these two sentences.
  CHECK(outcome_info(Outcome::timeout).human == "no reply: a firewall silently dropping SYNs, or the host is down");
  CHECK(outcome_info(Outcome::filtered).human == "a firewall rejected the SYN");
}

TEST_CASE("core::parse_outcome") {
  CHECK(parse_outcome("open") == Outcome::open);
  CHECK(parse_outcome("refused") == Outcome::refused);
  CHECK(parse_outcome("timeout") == Outcome::timeout);
  CHECK(parse_outcome("filtered") == Outcome::filtered);
  CHECK(parse_outcome("unreachable") == Outcome::unreachable);
  CHECK_FALSE(parse_outcome("Open").has_value());
  CHECK_FALSE(parse_outcome("closed").has_value());
  CHECK_FALSE(parse_outcome("").has_value());
}

TEST_CASE("core::parse_outcome_list") {
  using List = std::vector<Outcome>;
  CHECK(*parse_outcome_list("open") == List{Outcome::open});
  CHECK(*parse_outcome_list("refused,filtered") == List{Outcome::refused, Outcome::filtered});
  CHECK(*parse_outcome_list("timeout,open,timeout") == List{Outcome::timeout, Outcome::open});

  struct Row {
    const char* input;
    const char* message;
  };
  const Row rows[] = {
      {"opn", "unknown outcome 'opn' (expected open, refused, timeout, filtered or unreachable)"},
      {"open,closed", "unknown outcome 'closed' (expected open, refused, timeout, filtered or unreachable)"},
      {"OPEN", "unknown outcome 'OPEN' (expected open, refused, timeout, filtered or unreachable)"},
      {"", "empty item in outcome list ''"},
      {"open,", "empty item in outcome list 'open,'"},
      {",open", "empty item in outcome list ',open'"},
      {"open,,refused", "empty item in outcome list 'open,,refused'"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    auto r = parse_outcome_list(row.input);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::usage);
    CHECK(r.error().message == row.message);
  }
}

TEST_CASE("core::classify_tcp") {
  using namespace tcp_flag;
  CHECK(classify_tcp(syn | ack) == Outcome::open);
  CHECK(classify_tcp(syn | ack | ece) == Outcome::open);  // RFC 3168 ECN-setup SYN-ACK
  CHECK(classify_tcp(syn | ack | ae | ece) == Outcome::open);
  CHECK(classify_tcp(rst | ack) == Outcome::refused);
  CHECK(classify_tcp(rst) == Outcome::refused);
  CHECK_FALSE(classify_tcp(ack).has_value());
  CHECK_FALSE(classify_tcp(syn).has_value());  // simultaneous open, not an answer
  CHECK_FALSE(classify_tcp(fin | ack).has_value());
  CHECK_FALSE(classify_tcp(psh | ack).has_value());
  CHECK_FALSE(classify_tcp(0).has_value());
}

TEST_CASE("core::classify_icmp") {
  const auto refused = Outcome::refused;
  const auto filtered = Outcome::filtered;
  const auto unreachable = Outcome::unreachable;
  const std::optional<Outcome> none;

  SUBCASE("IPv4 (RFC 792, RFC 1812 §5.2.7.1)") {
    const IcmpRow rows[] = {
        {3, 0, unreachable},  {3, 1, unreachable}, {3, 2, unreachable},  {3, 3, refused},
        {3, 4, unreachable},  {3, 5, unreachable}, {3, 6, unreachable},  {3, 7, unreachable},
        {3, 8, unreachable},  {3, 9, filtered},    {3, 10, filtered},    {3, 11, unreachable},
        {3, 12, unreachable}, {3, 13, filtered},   {3, 14, unreachable}, {3, 15, unreachable},
        {11, 0, unreachable}, {11, 1, unreachable},
        {0, 0, none},         {1, 4, none},        {4, 0, none},         {5, 1, none},
        {8, 0, none},         {12, 0, none},
    };
    for (const auto& row : rows) {
      CAPTURE(int(row.type));
      CAPTURE(int(row.code));
      CHECK(classify_icmp(Family::ipv4, row.type, row.code) == row.outcome);
    }
  }
  SUBCASE("IPv6 (RFC 4443 §3)") {
    const IcmpRow rows[] = {
        {1, 0, unreachable}, {1, 1, filtered},    {1, 2, unreachable}, {1, 3, unreachable},
        {1, 4, refused},     {1, 5, filtered},    {1, 6, filtered},    {1, 7, unreachable},
        {3, 0, unreachable}, {3, 1, unreachable},  // time exceeded, not IPv4's port unreachable
        {3, 3, unreachable},
        {2, 0, none},        {4, 0, none},        {11, 0, none},       {128, 0, none},
        {129, 0, none},
    };
    for (const auto& row : rows) {
      CAPTURE(int(row.type));
      CAPTURE(int(row.code));
      CHECK(classify_icmp(Family::ipv6, row.type, row.code) == row.outcome);
    }
  }
}

TEST_CASE("core::exit_code_for") {
  using O = Outcome;
  using List = std::vector<Outcome>;
  const List open_only{O::open};

  CHECK(exit_code_for(List{}, open_only) == 0);
  CHECK(exit_code_for(List{O::open, O::open}, open_only) == 0);
  CHECK(exit_code_for(List{O::refused}, open_only) == 1);
  CHECK(exit_code_for(List{O::timeout}, open_only) == 2);
  CHECK(exit_code_for(List{O::filtered}, open_only) == 3);
  CHECK(exit_code_for(List{O::unreachable}, open_only) == 4);
  SUBCASE("the first target that missed decides, in argument order") {
    CHECK(exit_code_for(List{O::open, O::timeout, O::refused}, open_only) == 2);
    CHECK(exit_code_for(List{O::filtered, O::refused}, open_only) == 3);
  }
  SUBCASE("several expected outcomes") {
    const List closed{O::refused, O::timeout, O::filtered};
    CHECK(exit_code_for(List{O::timeout, O::refused, O::filtered}, closed) == 0);
    CHECK(exit_code_for(List{O::refused, O::unreachable}, closed) == 4);
  }
  SUBCASE("an unexpected open is a failure, not exit 0") {
    CHECK(exit_code_for(List{O::open}, List{O::refused}) == unexpected_open_exit_code);
    CHECK(exit_code_for(List{O::refused, O::open}, List{O::refused}) == 5);
  }
}
