#include <fmt/format.h>

#include <array>

#include "tcphs/app/check_report.hpp"
#include "tcphs/app/text_format.hpp"

namespace tcphs::app {
namespace {

constexpr std::size_t columns = 8;
using Cells = std::array<std::string, columns>;

/// "50ms", "1.5s", "250us": a limit as a person would type it.
std::string short_duration(core::Duration d) {
  const auto ns = d.count();
  if (ns % 1'000'000'000 == 0) return fmt::format("{}s", ns / 1'000'000'000);
  if (ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
  if (ns % 1'000 == 0) return fmt::format("{}us", ns / 1'000);
  return fmt::format("{}ns", ns);
}

Cells cells_of(const CheckRow& row, const CheckVerdict& v) {
  Cells c;
  c[0] = v.passed ? "ok" : "FAIL";
  c[1] = row.name == row.target ? row.name : fmt::format("{} ({})", row.name, row.target);
  c[2] = check_address(row);
  c[3] = expect_words(row.expect, ",");
  if (row.max_rtt) c[3] += " rtt<=" + short_duration(*row.max_rtt);
  c[4] = v.got;
  c[5] = v.shown && v.shown->attempt ? std::to_string(v.shown->attempt) : "-";
  c[6] = v.median_rtt_ns ? format_rtt(*v.median_rtt_ns) : "-";
  c[7] = check_evidence(row, v);
  return c;
}

}  // namespace

std::string check_summary_line(const std::vector<CheckRow>& rows) {
  std::size_t passed = 0;
  for (const auto& r : rows) passed += judge_check(r).passed;
  return fmt::format("{} check{}, {} passed, {} failed", rows.size(), rows.size() == 1 ? "" : "s", passed,
                     rows.size() - passed);
}

std::string check_table(const std::vector<CheckRow>& rows, const CheckTableStyle& style) {
  std::string out;
  if (!style.quiet) {
    std::vector<Cells> failed, passed;
    for (const auto& row : rows) {
      const auto v = judge_check(row);
      (v.passed ? passed : failed).push_back(cells_of(row, v));
    }
    const Cells header = {"RESULT", "CHECK", "ADDRESS", "EXPECT", "GOT", "ATTEMPT", "RTT", "EVIDENCE"};
    std::array<std::size_t, columns> width{};
    for (const auto* group : {&failed, &passed})
      for (const auto& c : *group)
        for (std::size_t i = 0; i < columns; ++i) width[i] = std::max(width[i], c[i].size());
    for (std::size_t i = 0; i < columns; ++i) width[i] = std::max(width[i], header[i].size());
    auto line = [&](const Cells& c, bool paint_result) {
      std::string s;
      for (std::size_t i = 0; i < columns; ++i) {
        std::string cell = fmt::format("{:<{}}", c[i], i + 1 == columns ? 0 : width[i]);
        // Colour after padding, so escape codes do not skew the columns.
        if (i == 0 && paint_result) {
          const auto o = c[0] == "ok" ? core::Outcome::open : core::Outcome::timeout;
          cell = paint(true, o, c[0]) + cell.substr(c[0].size());
        }
        s += (i ? "  " : "") + cell;
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      return s + "\n";
    };
    out += line(header, false);
    for (const auto* group : {&failed, &passed})
      for (const auto& c : *group) out += line(c, style.color);
  }
  return out + check_summary_line(rows) + "\n";
}

}  // namespace tcphs::app
