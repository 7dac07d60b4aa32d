#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "tcphs/app/check_row.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/stats.hpp"

namespace tcphs::app {
namespace {

bool expected(const CheckRow& row, core::Outcome o) {
  return std::find(row.expect.begin(), row.expect.end(), o) != row.expect.end();
}

/// "open" when every probe agrees, else "open 2, timeout 1" in table order.
std::string outcome_counts(const std::vector<core::ProbeResult>& results) {
  std::array<std::size_t, 5> counts{};
  for (const auto& r : results) ++counts[static_cast<int>(r.outcome)];
  std::string s;
  for (core::Outcome o : core::all_outcomes) {
    const auto n = counts[static_cast<int>(o)];
    if (n == results.size()) return std::string(core::outcome_word(o));
    if (n) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", core::outcome_word(o), n);
  }
  return s;
}

}  // namespace

std::string check_address(const CheckRow& row) {
  if (!row.resolved) return "-";
  const auto& t = *row.resolved;
  const std::string a = t.address.to_string();
  return t.address.family == core::Family::ipv6 ? fmt::format("[{}]:{}", a, t.port) : fmt::format("{}:{}", a, t.port);
}

std::string check_evidence(const CheckRow& row, const CheckVerdict& v) {
  if (row.error) return row.error->message;
  if (!row.note.empty()) return row.note;
  if (!v.shown) return "";
  std::string ev = evidence(*v.shown);
  if (ev.empty() && v.shown->outcome == core::Outcome::timeout) {
    if (v.shown->mode == core::ProbeMode::connect) return "connect() got no answer in time";
    return fmt::format("no reply to {} SYN{}", v.shown->attempt, v.shown->attempt == 1 ? "" : "s");
  }
  return ev;
}

std::string expect_words(const std::vector<core::Outcome>& expect, const char* separator) {
  std::string s;
  for (auto o : expect) s += (s.empty() ? "" : separator) + std::string(core::outcome_word(o));
  return s;
}

CheckVerdict judge_check(const CheckRow& row) {
  CheckVerdict v;
  if (row.error || row.results.empty()) {
    v.got = row.error && row.error->kind == core::ErrorKind::resolve ? "unresolved" : "error";
    v.reason = row.error ? row.error->message : "no probe ran";
    return v;
  }
  core::RttStats rtts;
  std::vector<core::ProbeResult> unexpected;
  for (const auto& r : row.results) {
    if (r.rtt_ns) rtts.add(*r.rtt_ns);
    if (expected(row, r.outcome)) continue;
    if (unexpected.empty()) v.shown = &r;
    unexpected.push_back(r);
  }
  if (!v.shown) v.shown = &row.results.front();
  if (auto s = rtts.summary()) v.median_rtt_ns = static_cast<std::int64_t>(std::llround(s->median));
  v.got = outcome_counts(row.results);

  const std::string want = expect_words(row.expect, " or ");
  if (!unexpected.empty() && row.results.size() == 1) {
    v.reason = fmt::format("expected {}, got {}", want, v.got);
  } else if (!unexpected.empty()) {
    v.reason = fmt::format("expected {}, got {} on {} of {} probes", want, outcome_counts(unexpected),
                           unexpected.size(), row.results.size());
  } else if (row.max_rtt && v.median_rtt_ns && *v.median_rtt_ns > row.max_rtt->count()) {
    v.reason = fmt::format("median RTT {} is above max_rtt {}", format_rtt(*v.median_rtt_ns),
                           format_rtt(row.max_rtt->count()));
  }
  v.passed = v.reason.empty();
  return v;
}

}  // namespace tcphs::app
