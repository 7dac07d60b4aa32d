#include <nlohmann/json.hpp>

#include "tcphs/app/isn_command.hpp"
#include "tcphs/app/json_records.hpp"

namespace tcphs::app {
namespace {

using nlohmann::json;

template <typename T>
json maybe(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

/// The keys every isn record starts with (SPEC §4).
json head(const char* type, const TargetInfo& t) {
  return {{"type", type},
          {"schema", json_schema},
          {"target", t.text},
          {"address", t.address.to_string()},
          {"port", t.port},
          {"family", core::family_name(t.address.family)}};
}

json sample_json(const TargetInfo& t, const IsnRun& run, const core::IsnSample& s, const core::IsnSample* previous,
                 std::int64_t first_rx_ns) {
  const core::ProbeResult* r = nullptr;
  for (const auto& p : run.probes)
    if (p.result.number == s.number) r = &p.result;
  json j = head("sample", t);
  j["seq"] = s.number;
  j["attempt"] = r ? json(r->attempt) : json(nullptr);
  j["source_port"] = s.source_port;
  j["reused_port"] = s.source_port == run.reused_port;
  j["isn"] = s.isn;
  j["our_isn"] = s.our_isn;
  j["delta"] = previous ? json(core::forward_delta(previous->isn, s.isn)) : json(nullptr);
  j["tsval"] = maybe(s.tsval);
  j["ip_id"] = maybe(s.ip_id);
  j["t_us"] = static_cast<double>(s.rx_ns - first_rx_ns) / 1000.0;
  j["rtt_us"] = r && r->rtt_ns ? json(static_cast<double>(*r->rtt_ns) / 1000.0) : json(nullptr);
  j["options"] = r && r->reply ? options_json(r->reply->options) : json(nullptr);
  return j;
}

json analysis_json(const TargetInfo& t, const IsnRun& run, const core::IsnAnalysis& a) {
  json counts = json::object();
  for (core::Outcome o : core::all_outcomes) {
    std::size_t n = 0;
    for (const auto& p : run.probes) n += p.result.outcome == o;
    counts[std::string(core::outcome_word(o))] = n;
  }

  const auto& q = a.sequence;
  const json isn = {{"verdict", core::isn_verdict_word(q.verdict)},
                    {"deltas", q.deltas},
                    {"gcd", q.gcd},
                    {"increments_per_s", maybe(q.increments_per_s)},
                    {"sp_index", maybe(q.sp_index)},
                    {"guess_bits", maybe(q.guess_bits)},
                    {"one_connection", q.one_connection},
                    {"connection_clock_hz", maybe(q.connection_clock_hz)}};
  const auto& ts = a.timestamps;
  const json timestamps = {{"offered", ts.with_timestamps > 0},
                           {"with_timestamps", ts.with_timestamps},
                           {"all_zero", ts.all_zero},
                           {"clock_hz", maybe(ts.clock_hz)},
                           {"nominal_hz", maybe(ts.nominal_hz)},
                           {"fit_rms_ticks", maybe(ts.fit_rms_ticks)},
                           {"fit_samples", ts.fit_samples},
                           {"offset", core::ts_offset_word(ts.offset)},
                           {"offset_compared", ts.offset_compared},
                           {"offset_off_line", ts.offset_off_line},
                           {"uptime_s", maybe(ts.uptime_s)}};
  const auto& id = a.ip_id;
  const json ip_id = {{"behaviour", core::ip_id_word(id.behaviour)},
                      {"samples", id.samples},
                      {"max_step", maybe(id.max_step)},
                      {"mean_step", maybe(id.mean_step)}};
  const auto& c = a.cookies;
  const json evidence = {
      {"isn_follows_syn",
       {{"result", core::check_result_word(c.isn_follows_syn)},
        {"pairs", c.isn_pairs},
        {"repeats", c.isn_repeats},
        {"counter_steps", c.isn_counter_steps}}},
      {"tsval_low_bits",
       {{"result", core::check_result_word(c.tsval_low_bits)},
        {"samples", c.tsval_samples},
        {"low_bits", maybe(c.low_bits)},
        {"offered_bits", c.offered_bits},
        {"matches_offer", c.low_bits_match_offer}}},
      {"options_stripped",
       {{"result", core::check_result_word(c.options_stripped)}, {"stripped", c.stripped}, {"of", c.stripped_of}}}};

  json j = head("analysis", t);
  j["sent"] = run.probes.size();
  j["samples"] = a.samples;
  j["connections"] = a.connections;
  j["counts"] = counts;
  j["isn"] = isn;
  j["timestamps"] = timestamps;
  j["ip_id"] = ip_id;
  j["syn_cookies"] = {{"verdict", core::cookie_verdict_word(c.verdict)}, {"evidence", evidence}};
  j["mode"] = "raw";
  return j;
}

void emit(std::FILE* out, const json& j) {
  const std::string line = j.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), out);
}

}  // namespace

void print_isn_json(std::FILE* out, const TargetInfo& target, const IsnRun& run, const core::IsnAnalysis& a) {
  const auto samples = run_samples(run);
  for (std::size_t i = 0; i < samples.size(); ++i)
    emit(out, sample_json(target, run, samples[i], i ? &samples[i - 1] : nullptr, samples.front().rx_ns));
  emit(out, analysis_json(target, run, a));
  std::fflush(out);
}

}  // namespace tcphs::app
