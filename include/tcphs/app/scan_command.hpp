#pragma once
/// `tcphs scan HOST... -p PORTS`: many ports at a controlled rate, matched
/// statelessly (core/scan_engine.hpp), reported as an nmap-like table.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/common_options.hpp"
#include "tcphs/app/reporter.hpp"
#include "tcphs/app/target_resolution.hpp"
#include "tcphs/core/scan_engine.hpp"

namespace tcphs::app {

struct ScanOptions {
  CommonOptions common;
  std::vector<std::string> hosts;
  std::optional<std::string> ports;  ///< -p: a port list, "-" for all
  std::optional<int> top;            ///< --top N
  double rate = 1000;
  int retries = 1;
  std::string min_wait = "20ms";
  std::string max_wait = "1s";
  std::optional<std::string> expect;
  bool all_ports = false;            ///< list every port, hidden outcomes too
  bool all_addresses = false;
  bool yes = false;
};

/// Registers `scan` on `app`; CLI11 only fills `opts`.
CLI::App* add_scan_command(CLI::App& app, ScanOptions& opts);

/// What a scan does, checked and resolved from the options.
struct ScanPlan {
  std::vector<TargetInfo> hosts;  ///< `port` unused
  core::ScanConfig config;        ///< ports, rate, retries, waits
  std::optional<std::vector<core::Outcome>> expect;
  core::SynSpec syn;              ///< template: flow and seq are filled per host
  std::optional<std::string> source;
  std::optional<std::string> interface;
  std::optional<std::uint16_t> source_port;
};

/// The port list: -p (parse_port_list; "-" is every port) or --top N; the
/// 1000 most common ports when neither is given. Usage errors: both given,
/// a bad list, N out of range.
core::Result<std::vector<std::uint16_t>> scan_ports(const ScanOptions& opts);

/// Checks the options against each other and builds the plan for `hosts`
/// (already resolved). Usage errors: those of scan_ports, a bad duration,
/// --min-wait above --max-wait, a bad --expect list.
core::Result<ScanPlan> make_scan_plan(const ScanOptions& opts, std::vector<TargetInfo> hosts);

/// Hosts as typed (a name, an address, or "[IPV6]"), resolved with -4/-6
/// and --all. Usage error for a HOST:PORT form, which belongs to -p.
core::Result<std::vector<TargetInfo>> resolve_scan_hosts(const std::vector<std::string>& texts, FamilyChoice choice);

/// Runs the scan. Exit code: 0 when it completed (whatever the ports'
/// states, as nmap's), or with --expect the code of the first port, host by
/// host in argument order and ports ascending, whose outcome was not
/// expected (SPEC §2); 128 + the signal when interrupted. Errors: usage
/// (options; more than 1,024 ports on a public address without --yes when
/// stdin is not a terminal or the answer is not yes; --mode connect),
/// resolve, permission, no_route, and those of the loop.
core::Result<int> run_scan(const ScanOptions& opts);

}  // namespace tcphs::app
