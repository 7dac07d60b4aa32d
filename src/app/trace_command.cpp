#include "tcphs/app/trace_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "tcphs/app/target_resolution.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/duration.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

CLI::App* add_trace_command(CLI::App& app, TraceOptions& o) {
  auto* cmd = app.add_subcommand("trace", "TCP SYN traceroute: where SYNs to a port stop, and who rewrites them");
  cmd->footer(
      "Every SYN keeps one 5-tuple (Paris traceroute), so load balancers send them all one way.\n"
      "Each SYN waits -w for its answer, with no retransmission; SYNs leave at least -z apart.\n"
      "The trace ends at the first answer that is not ICMP time exceeded, after --max-silent\n"
      "silent hops, or at --max-hops. The exit code is that of the destination's outcome.\n"
      "\nExamples:\n"
      "  tcphs trace example.net:443\n"
      "  tcphs trace -n --control-port 80 10.0.0.5:443\n"
      "  tcphs trace --json [2001:db8::10]:22");
  cmd->add_option("target", o.target, "HOST:PORT, [IPV6]:PORT or HOST:SERVICE")->required();
  add_common_options(*cmd, o.common);
  cmd->add_option("-f,--first-hop", o.first_hop, "First TTL to probe")
      ->check(CLI::Range(1, 255))
      ->capture_default_str();
  cmd->add_option("-m,--max-hops", o.max_hops, "Last TTL to probe")->check(CLI::Range(1, 255))->capture_default_str();
  cmd->add_option("--queries", o.queries, "SYNs per hop")->check(CLI::Range(1, 10))->capture_default_str();
  cmd->add_option("-w,--wait", o.wait, "How long each SYN waits for an answer (e.g. 500ms)")->capture_default_str();
  cmd->add_option("-z,--send-wait", o.send_wait,
                  "Least time between two SYNs, to stay under ICMP rate limits (0: none)")
      ->capture_default_str();
  cmd->add_option("--max-silent", o.max_silent, "Stop after this many silent hops in a row (0: never)")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  cmd->add_option("--control-port", o.control_port,
                  "When SYNs are dropped or rejected, probe this port too: is it only the traced port?")
      ->check(CLI::Range(1, 65535));
  cmd->add_flag("-n,--numeric", o.numeric, "Do not look up hop names");
  cmd->add_option("--mss", o.mss, "MSS option value (default: route MTU minus headers)")->check(CLI::Range(1, 65535));
  cmd->add_flag("--ecn", o.ecn, "Ask for ECN (ECE+CWR on the SYN), to see whether a hop clears it");
  return cmd;
}

core::Result<TracePlan> make_trace_plan(const TraceOptions& o, TargetInfo target) {
  if (o.first_hop > o.max_hops)
    return core::usage_error(fmt::format("--first-hop {} is above --max-hops {}", o.first_hop, o.max_hops));
  if (o.common.ttl) return core::usage_error("--ttl does not apply to trace, which sets the TTL of each SYN itself");
  if (o.control_port && *o.control_port == target.port)
    return core::usage_error(fmt::format("--control-port {} is the traced port itself", *o.control_port));
  TracePlan plan;
  plan.target = std::move(target);
  plan.first_ttl = static_cast<unsigned>(o.first_hop);
  plan.max_ttl = static_cast<unsigned>(o.max_hops);
  plan.queries = static_cast<unsigned>(o.queries);
  plan.max_silent = static_cast<unsigned>(o.max_silent);
  TCPHS_TRY(wait, core::parse_duration(o.wait, "--wait"));
  plan.wait = wait;
  if (o.send_wait != "0") {
    TCPHS_TRY(send_wait, core::parse_duration(o.send_wait, "--send-wait"));
    plan.send_wait = send_wait;
  } else {
    plan.send_wait = core::Duration{};
  }
  if (o.control_port) plan.control_port = static_cast<std::uint16_t>(*o.control_port);
  if (o.common.tos) plan.syn.tos = static_cast<std::uint8_t>(*o.common.tos);
  if (o.mss) plan.syn.options.mss = static_cast<std::uint16_t>(*o.mss);
  plan.syn.ecn = o.ecn;
  plan.default_mss = !o.mss;
  plan.resolve_names = !o.numeric;
  plan.source = o.common.source;
  plan.interface = o.common.interface;
  if (o.common.source_port) plan.source_port = static_cast<std::uint16_t>(*o.common.source_port);
  plan.verbose = o.common.verbose;
  return plan;
}

core::Result<int> run_trace(const TraceOptions& o) {
  if (o.common.mode == ModeChoice::connect)
    return core::usage_error("trace needs raw sockets: a kernel connect() cannot see ICMP time exceeded");
  TCPHS_TRY(targets, resolve_targets({o.target}, {o.common.ipv4_only, o.common.ipv6_only, false}));
  TCPHS_TRY(plan, make_trace_plan(o, std::move(targets.front())));
  if (o.common.mode == ModeChoice::auto_ && !io::have_net_raw())
    return core::Error{core::ErrorKind::permission,
                       "trace needs raw sockets, which need CAP_NET_RAW: run as root, or "
                       "'sudo setcap cap_net_raw+ep $(command -v tcphs)', or in a container '--cap-add NET_RAW'"};

  auto reporter = o.common.json ? make_trace_json_reporter(stdout)
                                : make_trace_text_reporter(stdout, {want_color(o.common.color, 1), o.common.quiet,
                                                                    o.common.verbose});
  auto notice = [](const std::string& line) { fmt::print(stderr, "tcphs: {}\n", line); };
  TCPHS_TRY(report, run_trace_plan(plan, *reporter, notice));
  if (report.signal) return 128 + report.signal;
  return core::outcome_info(report.analysis.outcome).exit_code;
}

}  // namespace tcphs::app
