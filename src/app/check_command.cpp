#include "tcphs/app/check_command.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <ctime>

#include "tcphs/app/check_plan.hpp"
#include "tcphs/app/check_report.hpp"
#include "tcphs/app/check_run.hpp"
#include "tcphs/app/text_format.hpp"
#include "tcphs/core/duration.hpp"
#include "tcphs/io/atomic_file.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

CLI::App* add_check_command(CLI::App& app, CheckOptions& o) {
  auto* cmd = app.add_subcommand("check", "Assert reachability for CI: many checks at once, JUnit and Prometheus output");
  cmd->footer(
      "A check file has one check per line: TARGET EXPECT [key=value...]. EXPECT is\n"
      "an outcome or a comma list (open,refused); the keys are count, timeout,\n"
      "retries, mode, name and max_rtt; '#' starts a comment. The whole file is\n"
      "checked before anything is sent. Exit 0 when every check held, else 1.\n"
      "See 'man tcphs', CHECK FILES.\n"
      "\nExamples:\n"
      "  tcphs check targets.txt --junit report.xml\n"
      "  tcphs check - --openmetrics /var/lib/prometheus/node-exporter/tcphs.prom < targets.txt\n"
      "  tcphs check --expect open db:5432 api:443");
  cmd->add_option("input", o.inputs, "Check file (- for stdin), or targets when --expect is given")->required();
  cmd->add_option("--expect", o.expect, "Check the targets given as arguments for this outcome (comma list)");
  add_common_options(*cmd, o.common);
  cmd->add_option("-c,--count", o.count, "Probes per check (a line's count= wins)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("-i,--interval", o.interval, "Time between the probes of one check")->capture_default_str();
  cmd->add_option("--rto", o.rto, "First retransmission timeout, doubled after each retry")->capture_default_str();
  cmd->add_option("--retries", o.retries, "SYN retransmissions before timeout (a line's retries= wins)")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  cmd->add_option("-W,--timeout", o.timeout, "Total time a probe may take (a line's timeout= wins)");
  cmd->add_option("--max-rtt", o.max_rtt, "Fail a check whose median RTT is above this (a line's max_rtt= wins)");
  cmd->add_option("--parallel", o.parallel, "Checks in flight at once")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--junit", o.junit, "Write a JUnit XML report to this file");
  cmd->add_option("--openmetrics", o.openmetrics, "Write Prometheus metrics to this file (textfile collector)");
  return cmd;
}

namespace {

/// ISO 8601 local time without a zone, as JUnit's schema has it.
std::string local_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  char buf[32] = "";
  if (localtime_r(&now, &tm)) std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

core::Status write_reports(const CheckOptions& o, const std::vector<CheckRow>& rows, const CheckRunInfo& info) {
  if (o.common.json) {
    std::fputs(check_ndjson(rows).c_str(), stdout);
  } else {
    std::fputs(check_table(rows, {want_color(o.common.color, 1), o.common.quiet}).c_str(), stdout);
  }
  std::fflush(stdout);
  if (o.junit)
    if (auto st = io::write_file_atomically(*o.junit, check_junit(rows, info)); !st) return st;
  if (o.openmetrics)
    if (auto st = io::write_file_atomically(*o.openmetrics, check_openmetrics(rows)); !st) return st;
  return core::Ok{};
}

/// Stopped by a signal: the checks that finished are reported on stdout as
/// usual, one line on stderr says how many; the report files are not written
/// (a partial JUnit would read as a complete run). Returns 128 + signal.
int report_interrupted(const CheckOptions& o, std::vector<CheckRow>& rows, int signal) {
  const std::size_t total = rows.size();
  std::erase_if(rows, [](const CheckRow& r) { return !r.error && r.results.size() < r.count; });
  if (!rows.empty()) {
    std::fputs(o.common.json ? check_ndjson(rows).c_str()
                             : check_table(rows, {want_color(o.common.color, 1), o.common.quiet}).c_str(),
               stdout);
    std::fflush(stdout);
  }
  const bool files = o.junit || o.openmetrics;
  fmt::print(stderr, "tcphs: interrupted by {}: {} of {} check{} finished{}\n", signal == SIGINT ? "SIGINT" : "SIGTERM",
             rows.size(), total, total == 1 ? "" : "s", files ? "; no report file written" : "");
  return 128 + signal;
}

/// 0 when every check held; 68 when none could run because no name
/// resolved (the run tested nothing: DNS, not the network, is down); else 1.
int exit_code(const std::vector<CheckRow>& rows) {
  bool all_passed = true, none_resolved = true;
  for (const auto& row : rows) {
    all_passed &= judge_check(row).passed;
    none_resolved &= row.error && row.error->kind == core::ErrorKind::resolve;
  }
  if (all_passed) return 0;
  return none_resolved ? 68 : 1;
}

}  // namespace

core::Result<int> run_check(const CheckOptions& o) {
  for (const auto& [path, option] : {std::pair{o.junit, "--junit"}, std::pair{o.openmetrics, "--openmetrics"}})
    if (path)
      if (auto st = io::check_output_path(*path, option); !st) return st.error();
  TCPHS_TRY(defaults, check_defaults(o));
  TCPHS_TRY(input, load_checks(o, stderr));
  TCPHS_TRY(rows, plan_checks(input, defaults, o, stderr));

  CheckRunConfig cfg;
  cfg.parallel = static_cast<std::size_t>(o.parallel);
  TCPHS_TRY(interval, core::parse_duration(o.interval, "--interval"));
  cfg.interval = interval;
  if (o.common.ttl) cfg.syn.ttl = static_cast<std::uint8_t>(*o.common.ttl);
  if (o.common.tos) cfg.syn.tos = static_cast<std::uint8_t>(*o.common.tos);
  cfg.source = o.common.source;
  cfg.interface = o.common.interface;
  if (o.common.source_port) cfg.source_port = static_cast<std::uint16_t>(*o.common.source_port);
  cfg.verbose = o.common.verbose;
  cfg.notice = [](const std::string& line) { fmt::print(stderr, "tcphs: {}\n", line); };

  CheckRunInfo info{input.name, {}, local_timestamp()};
  const core::Instant start = io::now();
  TCPHS_TRY(signal, run_checks(rows, cfg));
  if (signal) return report_interrupted(o, rows, signal);
  info.elapsed = io::now() - start;
  if (auto st = write_reports(o, rows, info); !st) return st.error();
  return exit_code(rows);
}

}  // namespace tcphs::app
