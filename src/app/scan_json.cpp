/// The NDJSON side of scan_report.hpp: `port` records and a `summary`.

#include "tcphs/app/json_records.hpp"
#include "tcphs/app/scan_report.hpp"
#include "tcphs/core/packet.hpp"

namespace tcphs::app {
namespace {

using nlohmann::json;

template <typename T>
json maybe(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json micros(std::optional<std::int64_t> ns) { return ns ? json(static_cast<double>(*ns) / 1000.0) : json(nullptr); }

}  // namespace

json port_json(const ScanHostReport& h, std::uint16_t port, const core::ProbeResult& r, std::string_view service) {
  json reply = nullptr;
  if (r.reply)
    reply = {{"flags", core::flags_string(r.reply->flags)}, {"ttl", maybe(r.reply->ttl)},
             {"window", maybe(r.reply->window)},            {"isn", maybe(r.reply->isn)},
             {"ecn", r.reply->ecn},                         {"options", options_json(r.reply->options)}};
  json icmp = nullptr;
  if (r.icmp) icmp = {{"type", r.icmp->type}, {"code", r.icmp->code}, {"from", r.icmp->from.to_string()}};
  return {{"type", "port"},
          {"schema", json_schema},
          {"target", h.target.text},
          {"address", h.target.address.to_string()},
          {"port", port},
          {"family", core::family_name(h.target.address.family)},
          {"outcome", core::outcome_word(r.outcome)},
          {"attempt", r.attempt},
          {"rtt_us", micros(r.rtt_ns)},
          {"rtt_clock", r.rtt_ns ? json(r.rtt_source == core::StampSource::user ? "user" : "kernel") : json(nullptr)},
          {"reply", reply},
          {"icmp", icmp},
          {"service", service.empty() ? json(nullptr) : json(std::string(service))},
          {"source", h.source.to_string()},
          {"source_port", h.source_port},
          {"mode", "raw"}};
}

json scan_summary_json(const ScanHostReport& h) {
  json counts = json::object();
  json not_shown = json::array();
  for (core::Outcome o : core::all_outcomes) {
    const auto i = static_cast<std::size_t>(o);
    counts[std::string(core::outcome_word(o))] = h.counts[i];
    if (h.hidden[i]) not_shown.push_back(core::outcome_word(o));
  }
  const std::size_t silent = h.counts[static_cast<std::size_t>(core::Outcome::timeout)];
  json rtt = nullptr;
  if (h.rtt)
    rtt = {{"min", h.rtt->min / 1000.0},       {"avg", h.rtt->avg / 1000.0},
           {"median", h.rtt->median / 1000.0}, {"p95", h.rtt->p95 / 1000.0},
           {"max", h.rtt->max / 1000.0},       {"stddev", h.rtt->stddev / 1000.0}};
  return {{"type", "summary"},
          {"schema", json_schema},
          {"target", h.target.text},
          {"address", h.target.address.to_string()},
          {"sent", h.sent},
          {"counts", counts},
          {"loss", core::loss(h.decided, h.decided - silent)},
          {"rtt_us", rtt},
          {"ports", h.ports},
          {"not_shown", not_shown},
          {"retransmitted", h.retransmitted},
          {"duration_us", std::chrono::duration<double, std::micro>(h.elapsed).count()},
          {"rate_pps", {{"requested", h.rate_requested}, {"final", h.rate_final}}},
          {"capture_drops", h.capture_drops},
          {"duplicates", h.duplicates},
          {"results_may_be_wrong", h.results_may_be_wrong},
          {"notes", h.notes},
          {"complete", h.decided == h.ports},
          {"mode", "raw"}};
}

namespace {

/// One object per line, flushed whole, so a reader never sees half a record.
class ScanJsonReporter final : public ScanReporter {
 public:
  explicit ScanJsonReporter(std::FILE* out) : out_(out) {}
  void begin(const ScanHostReport&) override {}
  void port(const ScanHostReport& h, std::uint16_t port, const core::ProbeResult& r,
            std::string_view service) override {
    emit(port_json(h, port, r, service));
  }
  void end(const ScanHostReport& h) override { emit(scan_summary_json(h)); }

 private:
  void emit(const json& j) {
    const std::string line = j.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }
  std::FILE* out_;
};

}  // namespace

std::unique_ptr<ScanReporter> make_scan_json_reporter(std::FILE* out) { return std::make_unique<ScanJsonReporter>(out); }

}  // namespace tcphs::app
