#include "tcphs/app/explain_command.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "tcphs/core/outcome_guide.hpp"

using namespace tcphs;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Every run of spaces and newlines as one space: undoes the wrapping.
std::string flat(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string render(const std::string& outcomes, bool color = false) {
  auto text = app::render_explain(outcomes, color);
  REQUIRE(text);
  return *text;
}

}  // namespace

TEST_CASE("app::render_explain") {
  SUBCASE("everything: table, each outcome in order, exit codes") {
    const std::string text = render("");
    const std::vector<std::string> headings = {"open (exit 0)", "refused (exit 1)", "timeout (exit 2)",
                                               "filtered (exit 3)", "unreachable (exit 4)"};
    std::size_t at = 0;
    for (const auto& h : headings) {
      CAPTURE(h);
      auto pos = text.find("\n" + h + "\n");
      REQUIRE(pos != std::string::npos);
      CHECK(pos > at);
      at = pos;
    }
    CHECK(text.rfind("OUTCOME      EXIT  MEANING\n", 0) == 0);
    CHECK(text.find("\nExit codes\n") > at);
    CHECK(text.find("  5         a target was open, but open was not expected") != std::string::npos);
    CHECK(text.find("  130, 143  interrupted by SIGINT or SIGTERM") != std::string::npos);
  }

  SUBCASE("every sentence of the guide is printed whole") {
    const std::string text = flat(render(""));
    for (core::Outcome o : core::all_outcomes) {
      const auto& g = core::outcome_guide(o);
      CHECK(text.find(flat(std::string(g.seen))) != std::string::npos);
      CHECK(text.find(flat(std::string(core::outcome_info(o).human))) != std::string::npos);
      CHECK(text.find(flat(std::string(g.connect_mode))) != std::string::npos);
      for (auto s : g.causes) CHECK(text.find("- " + flat(std::string(s))) != std::string::npos);
      for (auto s : g.next) CHECK(text.find("- " + flat(std::string(s))) != std::string::npos);
    }
  }

  SUBCASE("lines fit 80 columns, and no line ends in a space") {
    for (const auto& line : lines_of(render(""))) {
      CAPTURE(line);
      CHECK(line.size() <= 80);
      CHECK((line.empty() || line.back() != ' '));
    }
  }

  SUBCASE("ICMP codes and errno names") {
    const std::string filtered = flat(render("filtered"));
    CHECK(filtered.find("ICMP type/code 3/9-10, 3/13; ICMPv6 1/1, 1/5-6") != std::string::npos);
    CHECK(filtered.find("In connect mode (no CAP_NET_RAW): EPERM, EACCES") != std::string::npos);
    const std::string refused = flat(render("refused"));
    CHECK(refused.find("ICMP type/code 3/3; ICMPv6 1/4") != std::string::npos);
    CHECK(refused.find("ECONNREFUSED") != std::string::npos);
    CHECK(render("timeout").find("ICMP type/code") == std::string::npos);
  }

  SUBCASE("a timeout points at tcphs trace, under what to check next") {
    const std::string timeout = flat(render("timeout"));
    const auto next = timeout.find("Check next:");
    REQUIRE(next != std::string::npos);
    CHECK(timeout.find("- tcphs trace HOST:PORT", next) != std::string::npos);
  }

  SUBCASE("one outcome, or a list, prints only those, in the order given") {
    const std::string one = render("timeout");
    CHECK(one.rfind("timeout (exit 2)\n", 0) == 0);
    for (const char* other : {"open (exit", "refused (exit", "filtered (exit", "unreachable (exit", "Exit codes"})
      CHECK(one.find(other) == std::string::npos);
    const std::string two = render("unreachable,open");
    CHECK(two.rfind("unreachable (exit 4)\n", 0) == 0);
    CHECK(two.find("\n\nopen (exit 0)\n") != std::string::npos);
    CHECK(two.find("refused (exit") == std::string::npos);
  }

  SUBCASE("colour only when asked") {
    CHECK(render("", false).find('\x1b') == std::string::npos);
    const std::string painted = render("refused", true);
    CHECK(painted.rfind("\x1b[", 0) == 0);
    CHECK(painted.find("refused\x1b[0m (exit 1)") != std::string::npos);
  }

  SUBCASE("an unknown outcome is a usage error") {
    auto r = app::render_explain("open,bogus", false);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == core::ErrorKind::usage);
    CHECK(r.error().message == "unknown outcome 'bogus' (expected open, refused, timeout, filtered or unreachable)");
  }
}
