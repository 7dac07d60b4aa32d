#include "tcphs/app/json_records.hpp"

#include <fmt/format.h>

#include "tcphs/core/packet.hpp"

namespace tcphs::app {
namespace {

using nlohmann::json;

std::string hex(const std::vector<std::uint8_t>& bytes) {
  std::string s;
  for (auto b : bytes) s += fmt::format("{:02x}", b);
  return s;
}

template <typename T>
json maybe(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

/// Microseconds as a number with nanosecond decimals (SPEC §4: `_us` keys).
json micros(std::optional<std::int64_t> ns) {
  return ns ? json(static_cast<double>(*ns) / 1000.0) : json(nullptr);
}

/// Which clock an RTT came from: "kernel" (packet stamps), "tcp_info" or "user".
const char* rtt_clock_name(core::StampSource s) {
  switch (s) {
    case core::StampSource::user: return "user";
    case core::StampSource::tcp_info: return "tcp_info";
    default: return "kernel";
  }
}

}  // namespace

json options_json(const core::TcpOptions& o) {
  json unknown = json::array();
  for (const auto& u : o.unknown) unknown.push_back({{"kind", u.kind}, {"data", hex(u.data)}});
  json ts = o.timestamps ? json{{"val", o.timestamps->val}, {"ecr", o.timestamps->ecr}} : json(nullptr);
  return {{"mss", maybe(o.mss)},
          {"wscale", maybe(o.wscale)},
          {"sack_permitted", o.sack_permitted},
          {"timestamps", ts},
          {"tfo_cookie", o.tfo_cookie ? json(hex(*o.tfo_cookie)) : json(nullptr)},
          {"unknown", unknown},
          {"malformed", o.malformed}};
}

json probe_json(const TargetInfo& t, const core::ProbeResult& r) {
  json reply = nullptr;
  if (r.reply) {
    reply = {{"flags", core::flags_string(r.reply->flags)},
             {"ttl", maybe(r.reply->ttl)},
             {"window", maybe(r.reply->window)},
             {"isn", maybe(r.reply->isn)},
             {"ecn", r.reply->ecn},
             {"options", options_json(r.reply->options)}};
    // connect mode knows timestamps were agreed, not their values
    if (r.mode == core::ProbeMode::connect && r.reply->options.timestamps)
      reply["options"]["timestamps"] = {{"val", nullptr}, {"ecr", nullptr}};
  }
  json icmp = nullptr;
  if (r.icmp) icmp = {{"type", r.icmp->type}, {"code", r.icmp->code}, {"from", r.icmp->from.to_string()}};
  return {{"type", "probe"},
          {"schema", json_schema},
          {"target", t.text},
          {"address", t.address.to_string()},
          {"port", t.port},
          {"family", core::family_name(t.address.family)},
          {"seq", r.number},
          {"attempt", r.attempt},
          {"outcome", core::outcome_word(r.outcome)},
          {"rtt_us", micros(r.rtt_ns)},
          {"rtt_clock", r.rtt_ns ? json(rtt_clock_name(r.rtt_source)) : json(nullptr)},
          {"reply", reply},
          {"icmp", icmp},
          {"source", r.flow.local.is_unspecified() ? json(nullptr) : json(r.flow.local.to_string())},
          {"source_port", r.flow.local_port ? json(r.flow.local_port) : json(nullptr)},
          {"mode", r.mode == core::ProbeMode::raw ? "raw" : "connect"}};
}

json summary_json(const TargetInfo& t, const TargetSummary& s) {
  json counts = json::object();
  for (core::Outcome o : core::all_outcomes) counts[std::string(core::outcome_word(o))] = s.counts[static_cast<int>(o)];
  json rtt = nullptr;
  if (s.rtt)
    rtt = {{"min", s.rtt->min / 1000.0},       {"avg", s.rtt->avg / 1000.0},
           {"median", s.rtt->median / 1000.0}, {"p95", s.rtt->p95 / 1000.0},
           {"max", s.rtt->max / 1000.0},       {"stddev", s.rtt->stddev / 1000.0}};
  return {{"type", "summary"}, {"schema", json_schema},   {"target", t.text},
          {"address", t.address.to_string()}, {"port", t.port}, {"sent", s.sent},
          {"counts", counts}, {"loss", s.loss}, {"rtt_us", rtt},
          {"mode", s.mode == core::ProbeMode::raw ? "raw" : "connect"}};
}

json error_json(const std::string& message) {
  return {{"type", "error"}, {"schema", json_schema}, {"message", message}};
}

}  // namespace tcphs::app
