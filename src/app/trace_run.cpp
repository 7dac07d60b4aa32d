#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "tcphs/app/raw_session.hpp"
#include "tcphs/app/trace_run.hpp"
#include "tcphs/core/packet.hpp"
#include "tcphs/io/reverse_name.hpp"
#include "tcphs/io/stop_event.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// Which engine probes belong to the traced port and which to the control port.
constexpr std::size_t traced = 0, controlled = 1;
/// TTL of the control SYNs: Linux's default, so they go as far as any SYN.
constexpr std::uint8_t control_ttl = 64;

/// The SYN as crafted, decoded back: what every quote is compared with.
core::SentSyn sent_syn(const core::SynSpec& syn) {
  core::SentSyn s;
  s.family = syn.flow.remote.family;
  s.tos = syn.tos;
  s.flow_label = syn.flow_label;
  auto decoded = core::decode_packet(core::craft_syn(syn));
  if (const auto* p = std::get_if<core::Packet>(&decoded); p && p->tcp()) s.tcp = *p->tcp();
  return s;
}

/// Its options in words, without the timestamp values, which vary per SYN.
std::string describe_sent(const core::SentSyn& s) {
  auto options = s.tcp.options;
  if (options.timestamps) options.timestamps = core::TcpTimestamps{};
  std::string text = core::describe_options(options);
  if (auto at = text.find("ts 0/0"); at != std::string::npos) text.replace(at, 6, "ts");
  return text;
}

/// Reverse names, each address looked up once per run.
class NameCache {
 public:
  NameCache(bool enabled, core::Duration budget) : enabled_(enabled), budget_(budget) {}

  const HopNames& names_for(const std::vector<core::IpAddress>& addrs) {
    if (!enabled_) return found_;
    std::vector<core::IpAddress> fresh;
    for (const auto& a : addrs)
      if (!asked_.count(a)) fresh.push_back(a);
    if (fresh.empty()) return found_;
    const auto names = io::reverse_names(fresh, budget_);
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      asked_.insert(fresh[i]);
      if (names[i]) found_[fresh[i]] = *names[i];
    }
    return found_;
  }

 private:
  bool enabled_;
  core::Duration budget_;
  std::set<core::IpAddress> asked_;
  HopNames found_;
};

/// Sends `count` SYNs like `syn`, numbered from `first_number`, and runs
/// them to their end. Each SYN is handed to the engine only once the one
/// before it has left, due `send_wait` later, so SYNs are at least that far
/// apart however late the loop wakes up, across rounds too. `first_sent`
/// runs once, when the kernel has taken the first SYN.
class Rounds {
 public:
  Rounds(RawSession& session, core::Engine& engine, core::Duration send_wait, std::function<void()> first_sent)
      : session_(session),
        engine_(engine),
        send_wait_(send_wait),
        next_send_(io::now()),
        first_sent_(std::move(first_sent)) {}

  core::Result<std::vector<core::ProbeResult>> run(std::size_t target, const core::SynSpec& syn,
                                                   std::uint32_t first_number, unsigned count) {
    unsigned queued = 0;
    auto queue = [&](core::Instant due) {
      core::ProbeRequest request;
      request.target_index = target;
      request.number = first_number + queued++;
      request.syn = syn;
      request.due = due;
      engine_.add(request);
    };
    std::vector<core::ProbeResult> results;
    io::LoopCallbacks callbacks{[&](const core::ProbeResult& r) { results.push_back(r); },
                                [&](const core::Send&) {
                                  if (first_sent_) std::exchange(first_sent_, nullptr)();
                                  next_send_ = io::now() + send_wait_;
                                  if (queued < count) queue(next_send_);
                                }};
    queue(std::max(next_send_, io::now()));
    TCPHS_TRY(sig, session_.run(engine_, callbacks));
    signal_ = sig;
    std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
    return results;
  }
  int signal() const { return signal_; }

 private:
  RawSession& session_;
  core::Engine& engine_;
  core::Duration send_wait_;
  core::Instant next_send_;
  std::function<void()> first_sent_;
  int signal_ = 0;
};

core::ControlResult control_result(std::uint16_t port, const std::vector<core::ProbeResult>& results,
                                   const core::SentSyn& sent) {
  core::ControlResult c{port, {}};
  for (const auto& r : results) {
    c.reply = core::hop_reply(r, sent);
    if (c.reply.kind != core::HopReplyKind::none) break;
  }
  return c;
}

}  // namespace

core::Result<TraceReport> run_trace_plan(const TracePlan& plan, TraceReporter& reporter,
                                         const std::function<void(const std::string&)>& notice) {
  // Held for the whole trace, not only inside each round's event loop: a
  // signal between rounds (or one the kernel would hand to a reverse-name
  // thread, which inherits the block) then waits for the next round's
  // signalfd instead of killing the process before the diagnosis.
  io::SignalBlock signals;
  RawSessionConfig cfg{plan.source, plan.interface, true, 4 << 20, plan.verbose, notice};
  TCPHS_TRY(session, RawSession::open({plan.target.address}, cfg));
  core::EngineConfig engine_config;
  engine_config.rto = plan.wait;
  engine_config.retries = 0;  // a silent hop is an answer in itself: no retransmission
  core::Engine engine(engine_config, session->key());

  core::SynSpec syn = plan.syn;
  syn.flow = {session->route(0).source, plan.target.address, plan.source_port.value_or(session->ports().next()),
              plan.target.port};
  if (plan.default_mss && syn.options.mss) syn.options.mss = session->default_mss(0);
  const core::SentSyn sent = sent_syn(syn);
  // The header waits for the first SYN to leave, so a SYN refused at once
  // (a local firewall's EPERM) leaves stdout empty, as probe's does.
  Rounds rounds(*session, engine, plan.send_wait, [&] {
    reporter.start(
        {plan.target, plan.first_ttl, plan.max_ttl, plan.queries, describe_sent(sent), syn.ecn, syn.flow.local_port});
  });

  TraceReport report;
  report.target = plan.target;
  auto& hops = report.hops;
  NameCache names(plan.resolve_names, plan.name_wait);
  core::TraceEnd end = core::TraceEnd::max_hops;
  for (unsigned ttl = plan.first_ttl; ttl <= plan.max_ttl; ++ttl) {
    syn.ttl = static_cast<std::uint8_t>(ttl);
    // One number per (TTL, query): the engine derives each SYN's sequence
    // number from it, and the quote of a time exceeded carries that back.
    const std::uint32_t first_number = (ttl - 1) * plan.queries + 1;
    TCPHS_TRY(results, rounds.run(traced, syn, first_number, plan.queries));
    if ((report.signal = rounds.signal())) {
      end = core::TraceEnd::interrupted;
      break;
    }
    core::Hop hop{syn.ttl, std::vector<core::HopReply>(plan.queries)};
    for (const auto& r : results) hop.queries[r.number - first_number] = core::hop_reply(r, sent);
    reporter.hop(hop, names.names_for(hop.addresses()));
    hops.push_back(std::move(hop));
    if (auto e = core::trace_end(hops, plan.max_silent, plan.max_ttl)) {
      end = *e;
      break;
    }
  }
  report.analysis = core::analyze_trace(hops, plan.target.address, end);

  const auto& a = report.analysis;
  if (!report.signal && plan.control_port && (a.unanswered || a.rejected)) {
    core::SynSpec control = syn;
    control.ttl = control_ttl;
    control.flow.remote_port = *plan.control_port;
    TCPHS_TRY(results, rounds.run(controlled, control, 1, plan.queries));
    report.signal = rounds.signal();
    if (!report.signal) {
      TargetInfo target = plan.target;
      target.text = fmt::format("{}:{}", target.address.family == core::Family::ipv6
                                             ? "[" + target.address.to_string() + "]"
                                             : target.address.to_string(),
                                *plan.control_port);
      target.port = *plan.control_port;
      reporter.control(target, results);
      report.control = control_result(*plan.control_port, results, sent);
    }
  }
  const core::TraceFacts facts{plan.target.address, plan.target.port, plan.first_ttl, plan.max_ttl,
                               plan.control_port};
  report.diagnosis = core::diagnose(facts, hops, a, report.control);
  reporter.finish(report);
  return report;
}

}  // namespace tcphs::app
