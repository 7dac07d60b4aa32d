#include <fmt/format.h>

#include <pugixml.hpp>
#include <sstream>

#include "tcphs/app/check_report.hpp"
#include "tcphs/app/text_format.hpp"

namespace tcphs::app {
namespace {

std::string seconds(core::Duration d) { return fmt::format("{:.3f}", static_cast<double>(d.count()) / 1e9); }

/// What a person reading the CI report needs: where, what was asked, what
/// came back and the evidence, one fact per line.
std::string details(const CheckRow& row, const CheckVerdict& v) {
  const std::string address = check_address(row);
  std::string s = fmt::format("target: {}\n", row.target);
  if (address != "-" && address != row.target) s = fmt::format("target: {} ({})\n", row.target, address);
  s += fmt::format("expected: {}\n", expect_words(row.expect, " or "));
  if (row.max_rtt) s += fmt::format("max_rtt: {}\n", format_rtt(row.max_rtt->count()));
  s += fmt::format("got: {}\n", v.got);
  if (v.shown) {
    s += fmt::format("attempt: {}\n", v.shown->attempt);
    s += fmt::format("mode: {}\n", v.shown->mode == core::ProbeMode::raw ? "raw" : "connect");
  }
  if (v.median_rtt_ns) s += fmt::format("rtt: {}\n", format_rtt(*v.median_rtt_ns));
  if (const auto ev = check_evidence(row, v); !ev.empty()) s += fmt::format("evidence: {}\n", ev);
  if (row.line) s += fmt::format("line: {}\n", row.line);
  return s;
}

/// The outcome word a failure is filed under, or what stopped the check.
std::string failure_type(const CheckRow& row, const CheckVerdict& v) {
  if (!v.shown) return v.got;
  bool outcome_ok = false;
  for (auto o : row.expect) outcome_ok |= o == v.shown->outcome;
  return outcome_ok ? "max_rtt" : std::string(core::outcome_word(v.shown->outcome));
}

}  // namespace

std::string check_junit(const std::vector<CheckRow>& rows, const CheckRunInfo& info) {
  std::size_t failed = 0;
  std::vector<CheckVerdict> verdicts;
  for (const auto& row : rows) {
    verdicts.push_back(judge_check(row));
    failed += !verdicts.back().passed;
  }
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";

  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "tcphs check";
  suites.append_attribute("tests") = rows.size();
  suites.append_attribute("failures") = failed;
  suites.append_attribute("errors") = 0;
  suites.append_attribute("time") = seconds(info.elapsed).c_str();

  auto suite = suites.append_child("testsuite");
  suite.append_attribute("name") = info.suite.c_str();
  suite.append_attribute("tests") = rows.size();
  suite.append_attribute("failures") = failed;
  suite.append_attribute("errors") = 0;
  suite.append_attribute("skipped") = 0;
  suite.append_attribute("time") = seconds(info.elapsed).c_str();
  if (!info.timestamp.empty()) suite.append_attribute("timestamp") = info.timestamp.c_str();

  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const auto& v = verdicts[i];
    auto test = suite.append_child("testcase");
    test.append_attribute("name") = row.name.c_str();
    test.append_attribute("classname") = "tcphs.check";
    test.append_attribute("time") = seconds(row.elapsed).c_str();
    const std::string text = details(row, v);
    if (!v.passed) {
      auto failure = test.append_child("failure");
      failure.append_attribute("message") = v.reason.c_str();
      failure.append_attribute("type") = failure_type(row, v).c_str();
      failure.append_child(pugi::node_pcdata).set_value(text.c_str());
    } else {
      test.append_child("system-out").append_child(pugi::node_pcdata).set_value(text.c_str());
    }
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);  // with our declaration, not a default one
  return out.str();
}

}  // namespace tcphs::app
