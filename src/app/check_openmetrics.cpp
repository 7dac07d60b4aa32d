#include <fmt/format.h>

#include "tcphs/app/check_report.hpp"

namespace tcphs::app {
namespace {

/// A label value in the text format: backslash, double quote and line feed
/// are the three characters that must be escaped.
std::string label_value(std::string_view v) {
  std::string s;
  for (char c : v) {
    if (c == '\\') s += "\\\\";
    else if (c == '"') s += "\\\"";
    else if (c == '\n') s += "\\n";
    else s += c;
  }
  return s;
}

std::string labels(const CheckRow& row) {
  return fmt::format("target=\"{}\",name=\"{}\"", label_value(row.target), label_value(row.name));
}

void family(std::string& out, const char* name, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
}

}  // namespace

std::string check_openmetrics(const std::vector<CheckRow>& rows) {
  std::vector<CheckVerdict> verdicts;
  for (const auto& row : rows) verdicts.push_back(judge_check(row));
  std::string out;
  family(out, "tcphs_check_up", "1 when the check's expectation held, else 0.");
  for (std::size_t i = 0; i < rows.size(); ++i)
    out += fmt::format("tcphs_check_up{{{}}} {}\n", labels(rows[i]), verdicts[i].passed ? 1 : 0);

  family(out, "tcphs_check_rtt_seconds", "Median handshake round-trip time of the check's probes.");
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (verdicts[i].median_rtt_ns)
      out += fmt::format("tcphs_check_rtt_seconds{{{}}} {:.9f}\n", labels(rows[i]),
                         static_cast<double>(*verdicts[i].median_rtt_ns) / 1e9);

  family(out, "tcphs_check_outcome", "1 for the outcome the check got (open, refused, timeout, filtered, "
                                     "unreachable), 0 for the others.");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto* shown = verdicts[i].shown;
    for (core::Outcome o : core::all_outcomes)
      out += fmt::format("tcphs_check_outcome{{{},outcome=\"{}\"}} {}\n", labels(rows[i]), core::outcome_word(o),
                         shown && shown->outcome == o ? 1 : 0);
  }
  return out;
}

}  // namespace tcphs::app
