#include "tcphs/core/target.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tcphs::core;

TEST_CASE("core::parse_target accepts") {
  SUBCASE("name and number") {
    auto t = parse_target("db.internal:5432");
    REQUIRE(t.ok());
    CHECK(t->text == "db.internal:5432");
    CHECK(t->host == "db.internal");
    CHECK_FALSE(t->bracketed);
    CHECK(t->port == 5432);
    CHECK(t->service.empty());
    CHECK_FALSE(t->literal.has_value());
    CHECK(t->zone.empty());
  }
  SUBCASE("service name") {
    auto t = parse_target("host:https");
    REQUIRE(t.ok());
    CHECK(t->host == "host");
    CHECK(t->port == 0);
    CHECK(t->service == "https");
  }
  SUBCASE("hyphenated service name") {
    auto t = parse_target("h:ms-sql-s");
    REQUIRE(t.ok());
    CHECK(t->service == "ms-sql-s");
  }
  SUBCASE("IPv4 literal") {
    auto t = parse_target("1.2.3.4:80");
    REQUIRE(t.ok());
    CHECK(t->host == "1.2.3.4");
    CHECK(t->port == 80);
    REQUIRE(t->literal.has_value());
    CHECK(*t->literal == IpAddress::v4(1, 2, 3, 4));
  }
  SUBCASE("bracketed IPv6 literal") {
    auto t = parse_target("[::1]:80");
    REQUIRE(t.ok());
    CHECK(t->host == "::1");
    CHECK(t->bracketed);
    CHECK(t->port == 80);
    REQUIRE(t->literal.has_value());
    CHECK(t->literal->family == Family::ipv6);
    CHECK(t->literal->is_loopback());
  }
  SUBCASE("IPv6 with a zone keeps it") {
    auto t = parse_target("[fe80::1%eth0]:22");
    REQUIRE(t.ok());
    CHECK(t->host == "fe80::1%eth0");
    CHECK(t->zone == "eth0");
    CHECK(t->port == 22);
    REQUIRE(t->literal.has_value());
    CHECK(t->literal->to_string() == "fe80::1");
  }
  SUBCASE("IPv6 with a numeric zone and a service") {
    auto t = parse_target("[fe80::2%3]:ssh");
    REQUIRE(t.ok());
    CHECK(t->zone == "3");
    CHECK(t->service == "ssh");
  }
  SUBCASE("extremes") {
    CHECK(parse_target("h:1")->port == 1);
    CHECK(parse_target("h:65535")->port == 65535);
    CHECK(parse_target("h:00080")->port == 80);
  }
  SUBCASE("fully qualified name, underscore, all-digit inner label") {
    CHECK(parse_target("example.com.:443").ok());
    CHECK(parse_target("my_db:5432").ok());
    CHECK(parse_target("a1.123.example:80").ok());
    CHECK(parse_target("xn--bcher-kva.example:80").ok());
  }
  SUBCASE("longest host name and label") {
    std::string label(63, 'a');
    std::string name = label + "." + label + "." + label + "." + std::string(61, 'b');  // 253
    REQUIRE(name.size() == 253);
    auto t = parse_target(name + ":80");
    REQUIRE(t.ok());
    CHECK(t->host == name);
  }
}

TEST_CASE("core::parse_target rejects") {
  const std::string long_host = std::string(63, 'a') + "." + std::string(63, 'a') + "." +
                                std::string(63, 'a') + "." + std::string(62, 'b');  // 254
  const std::string long_label(64, 'x');
  struct Row {
    std::string input;
    std::string message;
  };
  const Row rows[] = {
      {"", "invalid target '': empty target"},
      {"   ", "invalid target '   ': empty target"},
      {"host:", "invalid target 'host:': missing port"},
      {"host", "invalid target 'host': missing port (expected HOST:PORT)"},
      {":80", "invalid target ':80': missing host"},
      {"host:0", "invalid target 'host:0': port 0 is not allowed"},
      {"host:65536", "invalid target 'host:65536': port 65536 is out of range (1-65535)"},
      {"host:99999999999999999999",
       "invalid target 'host:99999999999999999999': port 99999999999999999999 is out of range (1-65535)"},
      {"host:-1", "invalid target 'host:-1': port -1 is out of range (1-65535)"},
      {"host:+80", "invalid target 'host:+80': port '+80' is not a number"},
      {"host:8o", "invalid target 'host:8o': port '8o' is not a number"},
      {"[::1", "invalid target '[::1': missing ']'"},
      {"[::1]", "invalid target '[::1]': missing port"},
      {"[::1]:", "invalid target '[::1]:': missing port"},
      {"[::1]80", "invalid target '[::1]80': expected ':' after ']'"},
      {"[]:80", "invalid target '[]:80': missing host"},
      {"[1.2.3.4]:80", "invalid target '[1.2.3.4]:80': brackets are only for IPv6 addresses"},
      {"[host]:80", "invalid target '[host]:80': brackets are only for IPv6 addresses"},
      {"[::g]:80", "invalid target '[::g]:80': '::g' is not a valid IPv6 address"},
      {"[fe80::1%]:22", "invalid target '[fe80::1%]:22': missing zone after '%'"},
      {"[fe80::1%a/b]:22", "invalid target '[fe80::1%a/b]:22': zone 'a/b' is not an interface name or index"},
      {"[fe80::1%abcdefghijklmnop]:22",
       "invalid target '[fe80::1%abcdefghijklmnop]:22': zone 'abcdefghijklmnop' is not an interface name or index"},
      {"::1:80", "invalid target '::1:80': IPv6 addresses need brackets: [::1]:80"},
      {"2001:db8::1:443", "invalid target '2001:db8::1:443': IPv6 addresses need brackets: [2001:db8::1]:443"},
      {"fe80::1%eth0:22", "invalid target 'fe80::1%eth0:22': IPv6 addresses need brackets: [fe80::1%eth0]:22"},
      {"fe80::1", "invalid target 'fe80::1': IPv6 addresses need brackets: [fe80::1]:PORT"},
      {"a:b:c", "invalid target 'a:b:c': too many ':' (IPv6 addresses need brackets: [ADDRESS]:PORT)"},
      {"ho st:80", "invalid target 'ho st:80': contains whitespace"},
      {" host:80", "invalid target ' host:80': contains whitespace"},
      {"host:80\n", "invalid target 'host:80\\x0a': contains whitespace"},
      {"host:8 0", "invalid target 'host:8 0': contains whitespace"},
      {long_host + ":80", "invalid target '" + long_host + ":80': host name is longer than 253 characters"},
      {long_label + ".com:80",
       "invalid target '" + long_label + ".com:80': label '" + long_label + "' is longer than 63 characters"},
      {"ho!st:80", "invalid target 'ho!st:80': host name 'ho!st' has an invalid character '!'"},
      {"a[b]:80", "invalid target 'a[b]:80': host name 'a[b]' has an invalid character '['"},
      {"h\x01:80", "invalid target 'h\\x01:80': host name 'h\\x01' has an invalid character '\\x01'"},
      {"a..b:80", "invalid target 'a..b:80': empty label in host name 'a..b'"},
      {".a:80", "invalid target '.a:80': empty label in host name '.a'"},
      {".:80", "invalid target '.:80': empty label in host name '.'"},
      {"-a.com:80", "invalid target '-a.com:80': label '-a' starts or ends with a hyphen"},
      {"a-.com:80", "invalid target 'a-.com:80': label 'a-' starts or ends with a hyphen"},
      {"256.1.1.1:80", "invalid target '256.1.1.1:80': '256.1.1.1' is not a valid IPv4 address"},
      {"127.1:80", "invalid target '127.1:80': '127.1' is not a valid IPv4 address"},
      {"010.0.0.1:80", "invalid target '010.0.0.1:80': '010.0.0.1' is not a valid IPv4 address"},
      {"host:ht_tp", "invalid target 'host:ht_tp': service name 'ht_tp' may hold only letters, digits and hyphens"},
      {"host:abcdefghijklmnop",
       "invalid target 'host:abcdefghijklmnop': service name 'abcdefghijklmnop' is longer than 15 characters"},
      {"host:http-", "invalid target 'host:http-': service name 'http-' has a misplaced hyphen"},
      {"host:a--b", "invalid target 'host:a--b': service name 'a--b' has a misplaced hyphen"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    auto t = parse_target(row.input);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().kind == ErrorKind::usage);
    CHECK(t.error().message == row.message);
  }
}

TEST_CASE("core::parse_port_list") {
  using Ports = std::vector<std::uint16_t>;
  SUBCASE("items and ranges, ascending, duplicates once") {
    auto p = parse_port_list("80,22,8000-8003,22,8001");
    REQUIRE(p.ok());
    CHECK(*p == Ports{22, 80, 8000, 8001, 8002, 8003});
  }
  SUBCASE("single port and one-port range") {
    CHECK(*parse_port_list("443") == Ports{443});
    CHECK(*parse_port_list("7-7") == Ports{7});
  }
  SUBCASE("spaces around items") { CHECK(*parse_port_list(" 22 , 80 - 81 ") == Ports{22, 80, 81}); }
  SUBCASE("every port") {
    auto p = parse_port_list("-");
    REQUIRE(p.ok());
    REQUIRE(p->size() == 65535);
    CHECK(p->front() == 1);
    CHECK(p->back() == 65535);
  }
  SUBCASE("open ranges") {
    CHECK(*parse_port_list("-3") == Ports{1, 2, 3});
    CHECK(*parse_port_list("65533-") == Ports{65533, 65534, 65535});
  }
}

TEST_CASE("core::parse_port_list rejects") {
  struct Row {
    const char* input;
    const char* message;
  };
  const Row rows[] = {
      {"", "invalid port list '': empty port list"},
      {" ", "invalid port list ' ': empty port list"},
      {"22,,80", "invalid port list '22,,80': empty item between commas"},
      {"22,", "invalid port list '22,': empty item between commas"},
      {",22", "invalid port list ',22': empty item between commas"},
      {"0", "invalid port list '0': port 0 is not allowed"},
      {"0-10", "invalid port list '0-10': port 0 is not allowed"},
      {"65536", "invalid port list '65536': port 65536 is out of range (1-65535)"},
      {"1-70000", "invalid port list '1-70000': port 70000 is out of range (1-65535)"},
      {"100-90", "invalid port list '100-90': reversed range '100-90' (did you mean 90-100?)"},
      {"81-80", "invalid port list '81-80': reversed range '81-80' (did you mean 80-81?)"},
      {"1-2-3", "invalid port list '1-2-3': malformed range '1-2-3'"},
      {"http", "invalid port list 'http': port 'http' is not a number"},
      {"22,8o", "invalid port list '22,8o': port '8o' is not a number"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    auto p = parse_port_list(row.input);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().kind == ErrorKind::usage);
    CHECK(p.error().message == row.message);
  }
}
