/// run_scan: confirmation, hosts in groups, one RawSession and ScanEngine
/// per group, then the report of each host.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "tcphs/app/raw_session.hpp"
#include "tcphs/app/scan_command.hpp"
#include "tcphs/app/scan_progress.hpp"
#include "tcphs/app/scan_report.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/scan_safety.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

/// Slots (host x port) per engine: ~46 bytes each, so a group stays near
/// 12 MB; a full scan of one host is 65,535 slots.
constexpr std::size_t max_group_slots = std::size_t{1} << 18;
/// Hosts per scan: each adds a term to the capture's BPF filter, whose
/// programs the kernel caps at 4,096 instructions.
constexpr std::size_t max_scan_hosts = 256;
/// The capture ring of a scan: replies and our own SYNs in non-immediate
/// TPACKET_V3 blocks. Every page of it ends up resident, so it is most of a
/// scan's memory; 4 MB holds ~30,000 frames, 40 ms at 400 kpps each way.
constexpr int scan_capture_bytes = 4 << 20;

void notice(const std::string& line) { fmt::print(stderr, "tcphs: {}\n", line); }

/// The safety rule of scan_safety.hpp: asks on a terminal, refuses otherwise.
core::Status confirm_public(const ScanPlan& plan, bool yes) {
  if (yes) return core::Ok{};
  for (const auto& h : plan.hosts) {
    if (!core::scan_needs_confirmation(h.address, plan.config.ports.size())) continue;
    const std::string what = fmt::format("{} ports of {}, which is not a loopback, private or documentation address",
                                         group_digits(plan.config.ports.size()), h.address.to_string());
    if (isatty(STDIN_FILENO) != 1)
      return core::usage_error(fmt::format("refusing to scan {} without --yes (stdin is not a terminal)", what));
    fmt::print(stderr, "tcphs: scan {}? [y/N] ", what);
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes"))
      return core::usage_error(fmt::format("scan of {} not confirmed", h.address.to_string()));
  }
  return core::Ok{};
}

/// Consecutive hosts whose slots fit one engine.
std::vector<std::pair<std::size_t, std::size_t>> groups(std::size_t hosts, std::size_t ports) {
  const std::size_t per = std::clamp<std::size_t>(max_group_slots / std::max<std::size_t>(ports, 1), 1, max_scan_hosts);
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t at = 0; at < hosts; at += per) out.emplace_back(at, std::min(hosts, at + per));
  return out;
}

/// The name of `port` in `services` (sorted by port), "" when none.
std::string_view service_of(const std::vector<std::pair<std::uint16_t, std::string>>& services, std::uint16_t port) {
  auto it = std::lower_bound(services.begin(), services.end(), port,
                             [](const auto& e, std::uint16_t p) { return e.first < p; });
  return it != services.end() && it->first == port ? std::string_view(it->second) : std::string_view();
}

struct GroupRun {
  int signal = 0;
  int exit_code = 0;  ///< first unexpected outcome's code (with --expect)
};

/// Reports every host of a finished (or interrupted) group.
void report_group(const ScanPlan& plan, std::size_t first, const core::ScanEngine& engine, core::Duration elapsed,
                  const std::vector<std::string>& notes, const std::vector<core::FlowKey>& flows,
                  ScanReporter& reporter, bool show_all, GroupRun& run) {
  const auto services = io::tcp_service_names();
  const auto& ports = engine.ports();
  const auto& table = engine.table();
  const auto& c = engine.counters();
  for (std::size_t h = 0; h < engine.hosts(); ++h) {
    ScanHostReport r;
    r.target = plan.hosts[first + h];
    r.source = flows[h].local;
    r.source_port = flows[h].local_port;
    r.ports = ports.size();
    core::RttStats rtts;
    for (std::size_t i = 0; i < ports.size(); ++i) {
      const std::size_t slot = engine.slot(h, i);
      r.sent += table.attempts(slot);
      if (table.attempts(slot) > 1) ++r.retransmitted;
      const auto o = table.outcome(slot);
      if (!o) continue;
      ++r.decided;
      ++r.counts[static_cast<std::size_t>(*o)];
      if (auto rtt = table.rtt_ns(slot)) rtts.add(*rtt);
      if (plan.expect && run.exit_code == 0) run.exit_code = core::exit_code_for(std::span(&*o, 1), *plan.expect);
    }
    r.rtt = rtts.summary();
    r.hidden = hidden_outcomes(r.counts, show_all);
    r.elapsed = elapsed;
    r.rate_requested = plan.config.rate;
    r.rate_final = engine.rate();
    r.capture_drops = c.capture_drops;
    r.duplicates = c.duplicates;
    r.results_may_be_wrong = engine.results_may_be_wrong();
    r.notes = notes;
    reporter.begin(r);
    for (std::size_t i = 0; i < ports.size(); ++i) {
      auto result = table.result(engine.slot(h, i));
      if (!result || r.hidden[static_cast<std::size_t>(result->outcome)]) continue;
      result->flow = flows[h];
      result->flow.remote_port = ports[i];
      reporter.port(r, ports[i], *result, service_of(services, ports[i]));
    }
    reporter.end(r);
  }
}

core::Result<GroupRun> scan_group(const ScanPlan& plan, std::size_t first, std::size_t last, RawSession& session,
                                  ScanReporter& reporter, const ScanOptions& o) {
  std::vector<core::ScanHost> hosts;
  std::vector<core::FlowKey> flows;
  for (std::size_t i = first; i < last; ++i) {
    core::SynSpec syn = plan.syn;
    syn.flow.local = session.route(i).source;
    syn.flow.remote = plan.hosts[i].address;
    // One source port per host for the whole scan, retransmissions too:
    // a flow-keyed middlebox then sees a retry as the same flow.
    syn.flow.local_port = plan.source_port ? *plan.source_port : session.ports().next();
    if (syn.options.mss) syn.options.mss = session.default_mss(i);
    hosts.push_back(core::ScanHost{syn});
    flows.push_back(syn.flow);
  }
  core::ScanConfig config = plan.config;
  config.order_seed = std::uint64_t{session.key().bytes()[2]} << 8 | session.key().bytes()[3] | first << 16;
  const core::Instant start = io::now();
  TCPHS_TRY(engine, core::ScanEngine::make(config, session.key(), hosts, start));

  std::vector<std::string> notes;
  std::optional<ProgressLine> progress;
  if (isatty(STDERR_FILENO) == 1 && !o.common.quiet) progress.emplace(stderr);
  io::ScanLoopCallbacks callbacks;
  if (progress) callbacks.progress = [&](const core::ScanEngine& e) { progress->update(e, io::now()); };
  callbacks.note = [&](const std::string& line) {
    if (progress) progress->clear();
    notice(line);
    notes.push_back(line);
  };
  TCPHS_TRY(signal, session.run(engine, callbacks));
  if (progress) progress->clear();
  if (o.common.verbose) {
    const auto& c = engine.counters();
    const auto st = session.capture_stats();
    notice(fmt::format("scan engine: {} packets seen, {} own SYNs, {} answers, {} duplicates, {} ignored, "
                       "{} undecodable; capture {} received, {} dropped; final wait {:.1f} ms",
                       c.packets, c.own_syns, c.answered, c.duplicates, c.ignored, c.undecodable, st.received,
                       st.dropped, std::chrono::duration<double, std::milli>(engine.wait()).count()));
  }
  GroupRun run;
  run.signal = signal;
  report_group(plan, first, engine, io::now() - start, notes, flows, reporter, o.all_ports, run);
  return run;
}

}  // namespace

core::Result<int> run_scan(const ScanOptions& o) {
  // Options first: a bad list is a usage error before any name is resolved.
  TCPHS_TRY(checked, make_scan_plan(o, {}));
  if (o.common.mode == ModeChoice::connect)
    return core::usage_error("scan sends raw SYNs; --mode connect is not supported (use probe for connect())");
  TCPHS_TRY(hosts, resolve_scan_hosts(o.hosts, {o.common.ipv4_only, o.common.ipv6_only, o.all_addresses}));
  if (hosts.size() > max_scan_hosts)
    return core::usage_error(fmt::format("scan takes at most {} hosts at once ({} given)", max_scan_hosts, hosts.size()));
  ScanPlan plan = std::move(checked);
  plan.hosts = std::move(hosts);
  if (auto ok = confirm_public(plan, o.yes); !ok) return ok.error();
  if (!io::have_net_raw())
    return core::Error{core::ErrorKind::permission,
                       "scan needs raw sockets (CAP_NET_RAW): run as root, or 'sudo setcap cap_net_raw+ep "
                       "$(command -v tcphs)', or in a container '--cap-add NET_RAW'"};

  auto reporter = o.common.json ? make_scan_json_reporter(stdout)
                                : make_scan_text_reporter(stdout, {want_color(o.common.color, 1), o.common.quiet,
                                                                   o.common.verbose});
  // One session for every host: capabilities are dropped once it is open.
  std::vector<core::IpAddress> destinations;
  for (const auto& h : plan.hosts) destinations.push_back(h.address);
  RawSessionConfig cfg{plan.source, plan.interface, false, scan_capture_bytes, o.common.verbose, notice};
  TCPHS_TRY(session, RawSession::open(destinations, cfg));
  int exit_code = 0;
  for (auto [first, last] : groups(plan.hosts.size(), plan.config.ports.size())) {
    TCPHS_TRY(run, scan_group(plan, first, last, *session, *reporter, o));
    if (exit_code == 0) exit_code = run.exit_code;
    if (run.signal) return 128 + run.signal;
  }
  return exit_code;
}

}  // namespace tcphs::app
