#include <fmt/format.h>

#include <algorithm>

#include "tcphs/app/isn_command.hpp"
#include "tcphs/app/raw_session.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// The SYN's options as they go on the wire, decoded back, without the
/// TSval (it differs per SYN).
std::string describe_syn(const core::SynSpec& syn) {
  auto decoded = core::decode_packet(core::craft_syn(syn));
  const auto* p = std::get_if<core::Packet>(&decoded);
  if (!p || !p->tcp()) return "";
  auto options = p->tcp()->options;
  if (options.timestamps) options.timestamps = core::TcpTimestamps{};
  std::string text = core::describe_options(options);
  if (auto at = text.find("ts 0/0"); at != std::string::npos) text.replace(at, 6, "ts");
  return text;
}

}  // namespace

std::optional<core::IsnSample> isn_sample(const core::ProbeResult& r, std::uint32_t our_isn) {
  if (r.outcome != core::Outcome::open || !r.reply || !r.reply->isn || !r.rx) return std::nullopt;
  core::IsnSample s;
  s.number = r.number;
  s.source_port = r.flow.local_port;
  s.our_isn = our_isn;
  s.isn = *r.reply->isn;
  s.rx_ns = r.rx->ns;
  if (r.reply->options.timestamps) s.tsval = r.reply->options.timestamps->val;
  s.ip_id = r.reply->ip_id;
  s.wscale = r.reply->options.wscale.has_value();
  s.sack_permitted = r.reply->options.sack_permitted;
  return s;
}

std::vector<core::IsnSample> run_samples(const IsnRun& run) {
  std::vector<core::IsnSample> out;
  for (const auto& p : run.probes)
    if (p.sample) out.push_back(*p.sample);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.rx_ns < b.rx_ns; });
  return out;
}

core::Result<IsnRun> run_isn_plan(const IsnPlan& plan, const std::function<void(const std::string&)>& notice) {
  RawSessionConfig cfg{plan.source, plan.interface, true, 4 << 20, plan.verbose, notice};
  TCPHS_TRY(session, RawSession::open({plan.target.address}, cfg));

  IsnRun run;
  core::SynSpec syn = plan.syn;
  syn.flow.local = session->route(0).source;
  syn.flow.remote = plan.target.address;
  syn.flow.remote_port = plan.target.port;
  if (plan.default_mss && syn.options.mss) syn.options.mss = session->default_mss(0);
  run.syn_text = describe_syn(syn);
  run.offer = core::SynOffer{syn.options.wscale, syn.options.sack_permitted, syn.options.timestamps, syn.ecn};
  run.reused_port = plan.source_port ? *plan.source_port : session->ports().next();

  core::Engine engine(core::EngineConfig{}, session->key());
  const core::Instant start = io::now();
  for (std::uint32_t n = 1; n <= plan.count; ++n) {
    const bool reuse = plan.source_port || n % 2 == 1;
    syn.flow.local_port = reuse ? run.reused_port : session->ports().next();
    core::ProbeRequest request;
    request.number = n;
    request.syn = syn;
    request.due = start + plan.interval * (n - 1);
    engine.add(request);
  }
  std::vector<core::ProbeResult> results;
  io::LoopCallbacks callbacks{[&](const core::ProbeResult& r) { results.push_back(r); }, {}};
  TCPHS_TRY(signal, session->run(engine, callbacks));
  run.signal = signal;

  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  for (auto& r : results) {
    // Our ISN for that attempt: a Linux cookie adds it into the server's ISN.
    const std::uint32_t ours = engine.seq_for(r.flow, r.number, r.attempt);
    auto sample = isn_sample(r, ours);
    run.probes.push_back(IsnProbe{std::move(r), sample});
  }
  return run;
}

}  // namespace tcphs::app
