#include "tcphs/app/probe_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "tcphs/app/probe_run.hpp"
#include "tcphs/app/probe_tally.hpp"
#include "tcphs/app/target_resolution.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/duration.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

CLI::App* add_probe_command(CLI::App& app, ProbeOptions& o) {
  auto* cmd = app.add_subcommand("probe", "Send SYN probes and classify the replies");
  cmd->footer(
      "Examples:\n"
      "  tcphs probe db.internal:5432\n"
      "  tcphs probe -c 5 -i 200ms [2001:db8::10]:443\n"
      "  tcphs probe api:https --expect open --json");
  cmd->add_option("targets", o.targets, "HOST:PORT, [IPV6]:PORT or HOST:SERVICE")->required();
  add_common_options(*cmd, o.common);
  cmd->add_option("-c,--count", o.count, "Probes per target")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("-i,--interval", o.interval, "Time between probes to a target (e.g. 200ms)")->capture_default_str();
  cmd->add_option("--rto", o.rto, "First retransmission timeout, doubled after each retry")->capture_default_str();
  cmd->add_option("--retries", o.retries, "SYN retransmissions before timeout")->check(CLI::Range(0, 10))->capture_default_str();
  cmd->add_option("-W,--timeout", o.total_timeout, "Total time a probe may take (caps the retries)");
  cmd->add_option("--expect", o.expect, "Outcome(s) that count as success, comma-separated")->capture_default_str();
  cmd->add_flag("--all", o.all_addresses, "Probe every address a name resolves to");
  cmd->add_option("--mss", o.mss, "MSS option value (default: route MTU minus headers)")->check(CLI::Range(1, 65535));
  cmd->add_option("--wscale", o.wscale, "Window scale shift (default 7)")->check(CLI::Range(0, 14));
  cmd->add_option("--window", o.window, "TCP window (default 64240)")->check(CLI::Range(0, 65535));
  cmd->add_flag("--no-sack", o.no_sack, "Do not offer SACK-permitted");
  cmd->add_flag("--no-timestamps", o.no_timestamps, "Do not send the timestamps option");
  cmd->add_flag("--no-options", o.no_options, "Send a SYN without any option");
  cmd->add_flag("--ecn", o.ecn, "Ask for ECN (ECE+CWR on the SYN, RFC 3168)");
  cmd->add_flag("--tfo", o.tfo, "Ask for a TCP Fast Open cookie (RFC 7413)");
  return cmd;
}

namespace {

core::Result<ProbePlan> make_plan(const ProbeOptions& o, std::vector<TargetInfo> targets) {
  ProbePlan plan;
  plan.targets = std::move(targets);
  plan.count = static_cast<std::uint32_t>(o.count);
  TCPHS_TRY(interval, core::parse_duration(o.interval, "--interval"));
  TCPHS_TRY(rto, core::parse_duration(o.rto, "--rto"));
  plan.interval = interval;
  plan.engine.rto = rto;
  plan.engine.retries = static_cast<std::uint32_t>(o.retries);
  if (o.total_timeout) {
    TCPHS_TRY(total, core::parse_duration(*o.total_timeout, "--timeout"));
    plan.engine.total_timeout = total;
  }
  core::SynSpec& syn = plan.syn;
  if (o.common.ttl) syn.ttl = static_cast<std::uint8_t>(*o.common.ttl);
  if (o.common.tos) syn.tos = static_cast<std::uint8_t>(*o.common.tos);
  if (o.window) syn.window = static_cast<std::uint16_t>(*o.window);
  syn.ecn = o.ecn;
  if (o.no_options) {
    if (o.mss || o.wscale || o.tfo)
      return core::usage_error("--no-options cannot be combined with --mss, --wscale or --tfo");
    syn.options = core::SynOptionsSpec::none();
  } else {
    if (o.mss) syn.options.mss = static_cast<std::uint16_t>(*o.mss);
    if (o.wscale) syn.options.wscale = static_cast<std::uint8_t>(*o.wscale);
    syn.options.sack_permitted = !o.no_sack;
    syn.options.timestamps = !o.no_timestamps;
    syn.options.tfo_request = o.tfo;
  }
  plan.default_mss = !o.mss && !o.no_options;
  plan.source = o.common.source;
  plan.interface = o.common.interface;
  if (o.common.source_port) plan.source_port = static_cast<std::uint16_t>(*o.common.source_port);
  plan.verbose = o.common.verbose;
  return plan;
}

}  // namespace

core::Result<int> run_probe(const ProbeOptions& o) {
  TCPHS_TRY(expect, core::parse_outcome_list(o.expect));
  TCPHS_TRY(targets, resolve_targets(o.targets, {o.common.ipv4_only, o.common.ipv6_only, o.all_addresses}));
  TCPHS_TRY(plan, make_plan(o, std::move(targets)));

  bool raw = o.common.mode != ModeChoice::connect;
  if (o.common.mode == ModeChoice::auto_ && !io::have_net_raw()) {
    raw = false;
    std::fputs("tcphs: no CAP_NET_RAW: using connect() mode, which cannot tell RST from ICMP "
               "port-unreachable nor read the SYN-ACK itself (see 'man tcphs', PRIVILEGES)\n",
               stderr);
  }
  auto reporter = o.common.json ? make_json_reporter(stdout)
                                : make_text_reporter(stdout, {want_color(o.common.color, 1), o.common.quiet,
                                                              o.common.verbose});
  ProbeTally tally(plan.targets, *reporter, raw ? core::ProbeMode::raw : core::ProbeMode::connect);
  ProbeSink sink;
  sink.start = [&](std::size_t i, const std::string& syn) { reporter->start(plan.targets[i], plan.count, syn); };
  sink.result = [&](const core::ProbeResult& r) { tally.add(r); };
  sink.notice = [](const std::string& line) { fmt::print(stderr, "tcphs: {}\n", line); };
  TCPHS_TRY(signal, raw ? run_raw(plan, sink) : run_connect(plan, sink));
  tally.finish();
  if (signal) return 128 + signal;
  return tally.exit_code(expect);
}

}  // namespace tcphs::app
