#include <array>

#include "tcphs/app/check_report.hpp"
#include "tcphs/app/json_records.hpp"

namespace tcphs::app {
namespace {

using nlohmann::json;

json expect_json(const std::vector<core::Outcome>& expect) {
  json list = json::array();
  for (auto o : expect) list.push_back(core::outcome_word(o));
  return list;
}

/// A check that never ran: the probe keys, null where nothing is known.
json unrun_json(const CheckRow& row) {
  return {{"type", "check"},    {"schema", json_schema}, {"target", row.target}, {"address", nullptr},
          {"port", nullptr},    {"family", nullptr},     {"seq", nullptr},       {"attempt", nullptr},
          {"outcome", nullptr}, {"rtt_us", nullptr},     {"rtt_clock", nullptr}, {"reply", nullptr},
          {"icmp", nullptr},    {"source", nullptr},     {"source_port", nullptr},
          {"mode", row.mode == core::ProbeMode::raw ? "raw" : "connect"}};
}

}  // namespace

std::string check_ndjson(const std::vector<CheckRow>& rows) {
  std::string out;
  std::size_t passed = 0, sent = 0, answered = 0;
  std::array<std::size_t, 5> counts{};
  for (const auto& row : rows) {
    const auto v = judge_check(row);
    passed += v.passed;
    auto add = [&](json record) {
      record["name"] = row.name;
      record["expect"] = expect_json(row.expect);
      record["max_rtt_us"] = row.max_rtt ? json(static_cast<double>(row.max_rtt->count()) / 1000.0) : json(nullptr);
      record["passed"] = v.passed;
      record["reason"] = v.passed ? json(nullptr) : json(v.reason);
      record["line"] = row.line ? json(row.line) : json(nullptr);
      record["error"] = row.error ? json(row.error->message) : json(nullptr);
      record["note"] = row.note.empty() ? json(nullptr) : json(row.note);
      out += record.dump() + "\n";
    };
    if (!row.resolved || row.results.empty()) {
      add(unrun_json(row));
      continue;
    }
    for (const auto& r : row.results) {
      json record = probe_json(*row.resolved, r);
      record["type"] = "check";
      add(std::move(record));
      ++sent;
      ++counts[static_cast<int>(r.outcome)];
      if (r.outcome != core::Outcome::timeout) ++answered;
    }
  }
  json by_outcome = json::object();
  for (core::Outcome o : core::all_outcomes) by_outcome[std::string(core::outcome_word(o))] = counts[static_cast<int>(o)];
  json summary = {{"type", "summary"},  {"schema", json_schema}, {"target", nullptr},
                  {"address", nullptr}, {"sent", sent},          {"counts", by_outcome},
                  {"loss", core::loss(sent, answered)},          {"rtt_us", nullptr},
                  {"checks", rows.size()}, {"passed", passed},   {"failed", rows.size() - passed}};
  return out + summary.dump() + "\n";
}

}  // namespace tcphs::app
