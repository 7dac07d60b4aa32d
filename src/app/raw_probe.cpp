#include <fmt/format.h>

#include <algorithm>

#include "tcphs/app/probe_run.hpp"
#include "tcphs/app/raw_session.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// The options of `syn` as they will be on the wire, decoded back; the
/// timestamp values differ per probe, so they are left out.
std::string describe_syn(const core::SynSpec& syn) {
  auto decoded = core::decode_packet(core::craft_syn(syn));
  const auto* p = std::get_if<core::Packet>(&decoded);
  if (!p || !p->tcp()) return "";
  auto options = p->tcp()->options;
  std::string text = core::describe_options(options);
  if (options.timestamps) {
    const std::string ts = fmt::format("ts {}/{}", options.timestamps->val, options.timestamps->ecr);
    if (auto at = text.find(ts); at != std::string::npos) text.replace(at, ts.size(), "ts");
  }
  return text;
}

/// Capture ring bytes for `plan`. The loop drains the ring after every
/// batch it sends, so the ring needs room for what the probes can bring in
/// at once: our SYN, the reply and the kernel's RST, one ring frame (under
/// 512 bytes at our snaplen) each. The ring is mapped, so all of it counts
/// in RSS: a 4 MiB ring was a third of a one-probe run's 12 MB (issue #5).
int capture_bytes(const ProbePlan& plan) {
  constexpr std::int64_t per_probe = 3 * 512, least = 64 << 10, most = 4 << 20;
  const std::int64_t probes = std::int64_t{plan.count} * static_cast<std::int64_t>(plan.targets.size());
  return static_cast<int>(std::clamp(probes * per_probe, least, most));
}

}  // namespace

core::Result<int> run_raw(const ProbePlan& plan, const ProbeSink& sink) {
  std::vector<core::IpAddress> destinations;
  for (const auto& t : plan.targets) destinations.push_back(t.address);
  RawSessionConfig cfg{plan.source, plan.interface, true, capture_bytes(plan), plan.verbose, sink.notice};
  TCPHS_TRY(session, RawSession::open(destinations, cfg));

  core::Engine engine(plan.engine, session->key());
  const core::Instant start = io::now();
  std::vector<std::string> syn_text(plan.targets.size());
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    core::SynSpec syn = plan.syn;
    syn.flow.local = session->route(i).source;
    syn.flow.remote = plan.targets[i].address;
    syn.flow.remote_port = plan.targets[i].port;
    if (plan.default_mss && syn.options.mss) syn.options.mss = session->default_mss(i);
    syn_text[i] = describe_syn(syn);
    for (std::uint32_t n = 1; n <= plan.count; ++n) {
      syn.flow.local_port = plan.source_port ? *plan.source_port : session->ports().next();
      engine.add(core::ProbeRequest{i, n, syn, start + plan.interval * (n - 1)});
    }
  }
  // A target's header is printed once its first SYN is out, so an error
  // before that (a local firewall's EPERM) leaves stdout empty.
  std::vector<bool> started(plan.targets.size());
  io::LoopCallbacks callbacks{sink.result, [&](const core::Send& s) {
                                if (started[s.target_index] || !sink.start) return;
                                started[s.target_index] = true;
                                sink.start(s.target_index, syn_text[s.target_index]);
                              }};
  return session->run(engine, callbacks);
}

}  // namespace tcphs::app
