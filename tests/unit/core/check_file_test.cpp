#include "tcphs/core/check_file.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tcphs;
using namespace std::chrono_literals;

namespace {

/// The one error a single-line file gives, as `FILE:LINE: message`.
std::string error_of(const std::string& line) {
  auto f = core::parse_check_file(line + "\n");
  REQUIRE(f.errors.size() == 1);
  return core::format_check_error("t.txt", f.errors[0]);
}

}  // namespace

TEST_CASE("core::parse_check_file reads targets, expectations and keys") {
  const std::string text =
      "\xef\xbb\xbf# CI reachability\n"
      "\n"
      "db.internal:5432 open\n"
      "  [2001:db8::1]:443\topen,refused   # trailing comment\r\n"
      "10.0.0.1:22 timeout count=3 timeout=1500ms retries=0 mode=connect name=ssh-drop max_rtt=50ms\n"
      "api:https filtered name=caf\xc3\xa9#1\n"
      "   # indented comment\n";
  auto f = core::parse_check_file(text);
  REQUIRE(f.errors.empty());
  REQUIRE(f.checks.size() == 4);

  const auto& db = f.checks[0];
  CHECK(db.line == 3);
  CHECK(db.target.host == "db.internal");
  CHECK(db.target.port == 5432);
  CHECK(db.expect == std::vector{core::Outcome::open});
  CHECK(db.name == "db.internal:5432");
  CHECK_FALSE(db.count);
  CHECK_FALSE(db.timeout);
  CHECK_FALSE(db.retries);
  CHECK_FALSE(db.mode);
  CHECK_FALSE(db.max_rtt);

  const auto& v6 = f.checks[1];
  CHECK(v6.line == 4);
  REQUIRE(v6.target.literal);
  CHECK(v6.target.literal->to_string() == "2001:db8::1");
  CHECK(v6.expect == std::vector{core::Outcome::open, core::Outcome::refused});

  const auto& ssh = f.checks[2];
  CHECK(ssh.line == 5);
  CHECK(ssh.name == "ssh-drop");
  CHECK(ssh.count == 3u);
  CHECK(ssh.timeout == core::Duration(1500ms));
  CHECK(ssh.retries == 0u);
  CHECK(ssh.mode == core::CheckMode::connect);
  CHECK(ssh.max_rtt == core::Duration(50ms));

  // `#` inside a word is part of it; only a word that starts with it comments.
  CHECK(f.checks[3].name == "caf\xc3\xa9#1");
  CHECK(f.checks[3].target.service == "https");
}

TEST_CASE("core::parse_check_file rejects malformed lines with one exact message each") {
  const std::string long_line = "a:1 open name=" + std::string(4100, 'x');
  const std::pair<std::string, std::string> cases[] = {
      {"nohost open", "t.txt:1: invalid target 'nohost': missing port (expected HOST:PORT)"},
      {"a:1", "t.txt:1: expected outcome missing after 'a:1' (e.g. open or refused,timeout)"},
      {"a:1 count=2", "t.txt:1: expected outcome missing before 'count=2' (e.g. open or refused,timeout)"},
      {"a:1 opne",
       "t.txt:1: unknown outcome 'opne' (expected open, refused, timeout, filtered or unreachable)"},
      {"a:1 open,", "t.txt:1: empty item in outcome list 'open,'"},
      {"a:1 open extra", "t.txt:1: 'extra' is not key=value"},
      {"a:1 open =3", "t.txt:1: '=3' is not key=value"},
      {"a:1 open cnt=3", "t.txt:1: unknown key 'cnt' (keys: count, timeout, retries, mode, name, max_rtt)"},
      {"a:1 open ount=3", "t.txt:1: unknown key 'ount' (keys: count, timeout, retries, mode, name, max_rtt)"},
      {"a:1 open count=2 count=3", "t.txt:1: key 'count' is given twice"},
      {"a:1 open name=", "t.txt:1: key 'name' has no value"},
      {"a:1 open count=0", "t.txt:1: count '0' must be a whole number from 1 to 1000"},
      {"a:1 open count=1001", "t.txt:1: count '1001' must be a whole number from 1 to 1000"},
      {"a:1 open count=-1", "t.txt:1: count '-1' must be a whole number from 1 to 1000"},
      {"a:1 open count=2x", "t.txt:1: count '2x' must be a whole number from 1 to 1000"},
      {"a:1 open retries=11", "t.txt:1: retries '11' must be a whole number from 0 to 10"},
      {"a:1 open timeout=5y", "t.txt:1: timeout: invalid duration '5y': unknown unit 'y' (use us, ms, s or m)"},
      {"a:1 open timeout=0s", "t.txt:1: timeout: invalid duration '0s': must be greater than zero"},
      {"a:1 open max_rtt=fast",
       "t.txt:1: max_rtt: invalid duration 'fast': expected a number with an optional unit (us, ms, s, m)"},
      {"a:1 open mode=fast", "t.txt:1: mode 'fast' must be auto, raw or connect"},
      {"a:1 open mode=RAW", "t.txt:1: mode 'RAW' must be auto, raw or connect"},
      {long_line, "t.txt:1: line is longer than 4096 bytes"},
      {std::string("a:1 open\x01"), "t.txt:1: line contains the control byte 0x01; a check file is text"},
      {std::string("a:1 open name=x\x7f"), "t.txt:1: line contains the control byte 0x7f; a check file is text"},
      {std::string("a:1 open # \x1b[31m"), "t.txt:1: line contains the control byte 0x1b; a check file is text"},
      {"a:1 open name=\xc3(", "t.txt:1: line is not valid UTF-8"},
      {"a:1 open name=\xc0\xaf", "t.txt:1: line is not valid UTF-8"},          // overlong '/'
      {"a:1 open name=\xed\xa0\x80", "t.txt:1: line is not valid UTF-8"},      // a surrogate
      {"a:1 open name=\xf4\x90\x80\x80", "t.txt:1: line is not valid UTF-8"},  // above U+10FFFF
      {"a:1 open name=\xe2\x82", "t.txt:1: line is not valid UTF-8"},          // cut short
  };
  for (const auto& [line, message] : cases) {
    CAPTURE(line);
    CHECK(error_of(line) == message);
  }
}

TEST_CASE("core::parse_check_file reports every bad line, in order, and keeps line numbers") {
  auto f = core::parse_check_file(
      "# header\n"
      "a:1 open\n"
      "b:2 opne\n"
      "\n"
      "c:-1 open\n"
      "a:1 refused\n"
      "d:4 open name=a:1\n"
      "e:5 refused name=web\n"
      "f:6 open name=web\n");
  REQUIRE(f.errors.size() == 5);
  CHECK(core::format_check_error("f", f.errors[0]) ==
        "f:3: unknown outcome 'opne' (expected open, refused, timeout, filtered or unreachable)");
  CHECK(f.errors[1].line == 5);
  CHECK(core::format_check_error("f", f.errors[2]) ==
        "f:6: name 'a:1' is already used by line 2 (add name= to tell the checks apart)");
  CHECK(core::format_check_error("f", f.errors[3]) ==
        "f:7: name 'a:1' is already used by line 2 (add name= to tell the checks apart)");
  CHECK(core::format_check_error("f", f.errors[4]) ==
        "f:9: name 'web' is already used by line 8 (add name= to tell the checks apart)");
}

TEST_CASE("core::parse_check_file handles files without checks, binary garbage and no final newline") {
  SUBCASE("empty and comment-only files have no checks") {
    for (std::string text : {"", "\n\n", "# only\n   \n\t# comment\n"}) {
      auto f = core::parse_check_file(text);
      REQUIRE(f.errors.size() == 1);
      CHECK(core::format_check_error("x", f.errors[0]) == "x: no checks: every line is blank or a comment");
    }
  }
  SUBCASE("the last line needs no newline") {
    auto f = core::parse_check_file("a:1 open\nb:2 refused");
    CHECK(f.errors.empty());
    REQUIRE(f.checks.size() == 2);
    CHECK(f.checks[1].line == 2);
  }
  SUBCASE("a NUL byte makes the file binary: one error, with the line of the first NUL") {
    auto f = core::parse_check_file(std::string("a:1 open\n# ok\nx\x00y\n\x00\n", 20));
    REQUIRE(f.errors.size() == 1);
    CHECK(core::format_check_error("bin", f.errors[0]) == "bin: binary data (a NUL byte on line 3), not a check file");
    CHECK(f.checks.empty());
  }
  SUBCASE("a file of bad text lines stops after max_check_errors bad lines") {
    std::string garbage;
    for (int i = 0; i < 500; ++i) garbage += std::string("\x01\xff\x10", 3) + "\n";
    auto f = core::parse_check_file(garbage);
    REQUIRE(f.errors.size() == core::max_check_errors + 1);
    CHECK(f.errors[0].message == "line contains the control byte 0x01; a check file is text");
    CHECK(f.errors[99].line == 100);
    CHECK(core::format_check_error("bin", f.errors.back()) == "bin: more than 100 bad lines; the rest was not read");
  }
  SUBCASE("a line of exactly the limit is fine") {
    std::string line = "a:1 open name=";
    line += std::string(core::max_check_line_bytes - line.size(), 'n');
    auto f = core::parse_check_file(line);
    CHECK(f.errors.empty());
    CHECK(f.checks.size() == 1);
  }
}

TEST_CASE("core::checks_from_targets") {
  const std::vector<std::string> ok = {"host:443", "[::1]:5432"};
  auto checks = core::checks_from_targets(ok, "open,refused");
  REQUIRE(checks);
  REQUIRE(checks->size() == 2);
  CHECK((*checks)[1].name == "[::1]:5432");
  CHECK((*checks)[1].line == 0);
  CHECK((*checks)[0].expect == std::vector{core::Outcome::open, core::Outcome::refused});

  const std::vector<std::string> twice = {"host:443", "host:443"};
  CHECK(core::checks_from_targets(twice, "open").error().message == "target 'host:443' is given twice");
  CHECK(core::checks_from_targets(ok, "up").error().message ==
        "unknown outcome 'up' (expected open, refused, timeout, filtered or unreachable)");
  const std::vector<std::string> bad = {"host"};
  CHECK(core::checks_from_targets(bad, "open").error().kind == core::ErrorKind::usage);
  CHECK(core::checks_from_targets({}, "open").error().message == "no targets to check");
}
