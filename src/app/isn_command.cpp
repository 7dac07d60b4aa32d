#include "tcphs/app/isn_command.hpp"

#include <fmt/format.h>

#include "tcphs/app/target_resolution.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/duration.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

CLI::App* add_isn_command(CLI::App& app, IsnOptions& o) {
  auto* cmd = app.add_subcommand("isn", "Sample SYN-ACKs: ISN predictability, timestamp clock, IP ID, SYN cookies");
  cmd->footer(
      "Odd-numbered SYNs reuse one source port (one 4-tuple, so per-connection values stay fixed);\n"
      "even-numbered ones each come from a new port. Every half-open connection is reset by\n"
      "the kernel, as for probe. Needs raw sockets (CAP_NET_RAW).\n"
      "\nExamples:\n"
      "  tcphs isn www.example.net:443\n"
      "  tcphs isn -c 40 -v 10.0.0.5:22\n"
      "  tcphs isn --json [2001:db8::10]:80");
  cmd->add_option("target", o.target, "HOST:PORT, [IPV6]:PORT or HOST:SERVICE of a listening port")->required();
  add_common_options(*cmd, o.common);
  cmd->add_option("-c,--count", o.count, "SYNs to send")->check(CLI::Range(2, 10000))->capture_default_str();
  cmd->add_option("-i,--interval", o.interval, "Time between SYNs (e.g. 200ms)")->capture_default_str();
  return cmd;
}

namespace {

core::Result<IsnPlan> make_plan(const IsnOptions& o, TargetInfo target) {
  IsnPlan plan;
  plan.target = std::move(target);
  plan.count = static_cast<std::uint32_t>(o.count);
  TCPHS_TRY(interval, core::parse_duration(o.interval, "--interval"));
  plan.interval = interval;
  if (o.common.ttl) plan.syn.ttl = static_cast<std::uint8_t>(*o.common.ttl);
  if (o.common.tos) plan.syn.tos = static_cast<std::uint8_t>(*o.common.tos);
  plan.source = o.common.source;
  plan.interface = o.common.interface;
  if (o.common.source_port) plan.source_port = static_cast<std::uint16_t>(*o.common.source_port);
  plan.verbose = o.common.verbose;
  return plan;
}

/// With no SYN-ACK there is nothing to analyse: the first probe's outcome
/// says why, with its SPEC §2 exit code.
int exit_code(const IsnRun& run) {
  for (const auto& p : run.probes)
    if (p.sample) return 0;
  if (run.probes.empty()) return core::outcome_info(core::Outcome::timeout).exit_code;
  return core::outcome_info(run.probes.front().result.outcome).exit_code;
}

}  // namespace

core::Result<int> run_isn(const IsnOptions& o) {
  if (o.common.mode == ModeChoice::connect)
    return core::usage_error(
        "isn needs raw sockets: a kernel connect() does not show the SYN-ACK's sequence number, timestamps or IP ID");
  TCPHS_TRY(targets, resolve_targets({o.target}, {o.common.ipv4_only, o.common.ipv6_only, false}));
  TCPHS_TRY(plan, make_plan(o, std::move(targets.front())));
  if (!io::have_net_raw())
    return core::Error{core::ErrorKind::permission,
                       "isn needs raw sockets to read the server's SYN-ACKs, and raw sockets need CAP_NET_RAW: "
                       "run as root, or 'sudo setcap cap_net_raw+ep $(command -v tcphs)', or in a container "
                       "'--cap-add NET_RAW'"};

  auto notice = [](const std::string& line) { fmt::print(stderr, "tcphs: {}\n", line); };
  const TextStyle style{want_color(o.common.color, 1), o.common.quiet, o.common.verbose};
  // Nothing goes to stdout before the SYNs are out: an error at set-up
  // leaves it empty.
  TCPHS_TRY(run, run_isn_plan(plan, notice));

  const auto samples = run_samples(run);
  const auto analysis = core::analyse_isn(samples, run.offer);
  if (o.common.json) print_isn_json(stdout, plan.target, run, analysis);
  else print_isn_text(stdout, plan.target, run, analysis, style);
  if (run.signal) return 128 + run.signal;
  return exit_code(run);
}

}  // namespace tcphs::app
