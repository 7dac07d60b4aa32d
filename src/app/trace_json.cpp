#include <algorithm>

#include "tcphs/app/json_records.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/app/trace_report.hpp"
#include "tcphs/core/stats.hpp"

namespace tcphs::app {
namespace {

using nlohmann::json;

json micros(std::optional<std::int64_t> ns) { return ns ? json(static_cast<double>(*ns) / 1000.0) : json(nullptr); }

json name_of(const std::optional<core::IpAddress>& a, const HopNames& names) {
  if (!a) return nullptr;
  auto it = names.find(*a);
  return it == names.end() ? json(nullptr) : json(it->second);
}

std::string_view kind_word(core::HopReplyKind k) {
  switch (k) {
    case core::HopReplyKind::none: return "";
    case core::HopReplyKind::time_exceeded: return "time_exceeded";
    case core::HopReplyKind::tcp: return "tcp";
    case core::HopReplyKind::icmp: return "icmp";
  }
  return "";
}

json hop_ref(const std::vector<core::Hop>& hops, std::optional<std::size_t> i) {
  if (!i) return nullptr;
  const auto addrs = hops[*i].addresses();
  return {{"hop", hops[*i].ttl}, {"address", addrs.empty() ? json(nullptr) : json(addrs.front().to_string())}};
}

class TraceJsonReporter final : public TraceReporter {
 public:
  explicit TraceJsonReporter(std::FILE* out) : out_(out) {}
  void start(const TraceStart&) override {}
  void hop(const core::Hop& h, const HopNames& names) override { emit(hop_json(h, names)); }
  void control(const TargetInfo& c, const std::vector<core::ProbeResult>& results) override {
    for (const auto& r : results) emit(probe_json(c, r));
  }
  void finish(const TraceReport& r) override { emit(trace_summary_json(r)); }

 private:
  /// One object per line, flushed whole, so a reader never sees half a record.
  void emit(const json& j) {
    const std::string line = j.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }
  std::FILE* out_;
};

}  // namespace

json hop_json(const core::Hop& h, const HopNames& names) {
  const auto addrs = h.addresses();
  json rtts = json::array(), replies = json::array(), addresses = json::array(), rewrites = json::array();
  json icmp = nullptr, quote = nullptr;
  for (const auto& a : addrs) addresses.push_back(a.to_string());
  for (const auto& q : h.queries) {
    rtts.push_back(q.kind == core::HopReplyKind::none ? json(nullptr) : micros(q.rtt_ns));
    replies.push_back(q.kind == core::HopReplyKind::none ? json(nullptr) : json(kind_word(q.kind)));
    if (q.kind == core::HopReplyKind::time_exceeded || q.kind == core::HopReplyKind::icmp)
      if (icmp.is_null()) icmp = {{"type", q.icmp_type}, {"code", q.icmp_code}};
    if (!q.quote) continue;
    if (q.quote->tcp_compared) quote = "tcp";
    else if (quote.is_null()) quote = "short";
    for (const auto& c : q.quote->changes())
      if (std::find(rewrites.begin(), rewrites.end(), json(c)) == rewrites.end()) rewrites.push_back(c);
  }
  const core::HopReply* last = h.final_reply();
  return {{"type", "hop"},
          {"schema", json_schema},
          {"hop", h.ttl},
          {"address", addrs.empty() ? json(nullptr) : json(addrs.front().to_string())},
          {"name", addrs.empty() ? json(nullptr) : name_of(addrs.front(), names)},
          {"addresses", addresses},
          {"rtt_us", rtts},
          {"reply", replies},
          {"icmp", icmp},
          {"outcome", last ? json(core::outcome_word(last->outcome)) : json(nullptr)},
          {"quote", quote},
          {"rewrites", rewrites}};
}

json trace_summary_json(const TraceReport& r) {
  const auto& a = r.analysis;
  json counts = json::object();
  for (core::Outcome o : core::all_outcomes) counts[std::string(core::outcome_word(o))] = 0;
  counts["time_exceeded"] = 0;
  std::size_t sent = 0, answered = 0;
  core::RttStats rtt;
  for (const auto& h : r.hops)
    for (const auto& q : h.queries) {
      ++sent;
      if (q.kind == core::HopReplyKind::none) {
        counts["timeout"] = counts["timeout"].get<int>() + 1;
        continue;
      }
      ++answered;
      const std::string key = q.kind == core::HopReplyKind::time_exceeded ? "time_exceeded"
                                                                          : std::string(core::outcome_word(q.outcome));
      counts[key] = counts[key].get<int>() + 1;
      if (q.kind != core::HopReplyKind::time_exceeded && q.rtt_ns) rtt.add(*q.rtt_ns);
    }
  json rtt_us = nullptr;
  if (auto s = rtt.summary())
    rtt_us = {{"min", s->min / 1000.0},       {"avg", s->avg / 1000.0}, {"median", s->median / 1000.0},
              {"p95", s->p95 / 1000.0},       {"max", s->max / 1000.0}, {"stddev", s->stddev / 1000.0}};

  json rejected = nullptr;
  if (a.rejected && a.final_hop) {
    const core::HopReply& f = *r.hops[*a.final_hop].final_reply();
    rejected = hop_ref(r.hops, a.final_hop);
    rejected["address"] = f.from ? json(f.from->to_string()) : json(nullptr);
    rejected["icmp"] = {{"type", f.icmp_type}, {"code", f.icmp_code}};
  }
  json rewrites = json::array();
  for (const auto& w : a.rewrites) {
    json by = nullptr;
    if (w.after && r.hops[*w.after].ttl + 1 == r.hops[w.seen_at].ttl) by = hop_ref(r.hops, w.after);
    rewrites.push_back({{"seen_at", hop_ref(r.hops, w.seen_at)},
                        {"after", hop_ref(r.hops, w.after)},
                        {"by", by},
                        {"changes", w.changes}});
  }
  json control = nullptr;
  if (r.control) {
    const auto& q = r.control->reply;
    control = {{"port", r.control->port},
               {"outcome", core::outcome_word(q.outcome)},
               {"reply", q.kind == core::HopReplyKind::none ? json(nullptr) : json(kind_word(q.kind))},
               {"from", q.from ? json(q.from->to_string()) : json(nullptr)}};
  }
  const bool reached = a.final_hop && a.target_answered;
  const bool cut = a.end == core::TraceEnd::interrupted;
  json interrupted = nullptr;
  if (r.signal) interrupted = {{"signal", signal_name(r.signal)}, {"during", cut ? "hops" : "control"}};
  return {{"type", "summary"},
          {"schema", json_schema},
          {"target", r.target.text},
          {"address", r.target.address.to_string()},
          {"port", r.target.port},
          {"family", core::family_name(r.target.address.family)},
          {"sent", sent},
          {"counts", counts},
          {"loss", core::loss(sent, answered)},
          {"rtt_us", rtt_us},
          {"outcome", cut ? json(nullptr) : json(core::outcome_word(a.outcome))},
          {"end", core::trace_end_name(a.end)},
          {"reached", reached},
          {"hops", reached ? json(r.hops[*a.final_hop].ttl) : json(nullptr)},
          {"last_hop", hop_ref(r.hops, a.last_answering)},
          {"rejected_by", rejected},
          {"rewrites", rewrites},
          {"control", control},
          {"diagnosis", r.diagnosis},
          {"interrupted", interrupted},
          {"mode", "raw"}};
}

std::unique_ptr<TraceReporter> make_trace_json_reporter(std::FILE* out) {
  return std::make_unique<TraceJsonReporter>(out);
}

}  // namespace tcphs::app
