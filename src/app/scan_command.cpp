#include "tcphs/app/scan_command.hpp"

#include <fmt/format.h>

#include "tcphs/core/duration.hpp"
#include "tcphs/core/scan_ports.hpp"
#include "tcphs/core/scan_safety.hpp"
#include "tcphs/core/target.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {

CLI::App* add_scan_command(CLI::App& app, ScanOptions& o) {
  auto* cmd = app.add_subcommand("scan", "Scan many ports of hosts at a controlled rate");
  cmd->footer(fmt::format(
      "Ports: -p 22,80,8000-8100, -p- for all 65,535, or --top N (1..{}, nmap's ranking); default --top 1000.\n"
      "Rate: --rate is for every host together, at most {:.0f} pps; it is halved when the capture drops\n"
      "packets or ICMP errors look rate limited. More than {} ports on a host outside loopback, private and\n"
      "documentation ranges needs --yes (asked for on a terminal, refused otherwise).\n"
      "\nExamples:\n"
      "  tcphs scan 10.0.0.5 -p 22,80,443\n"
      "  tcphs scan db.internal -p- --rate 20000\n"
      "  tcphs scan 192.0.2.10 --top 100 --json",
      core::top_ports_available, core::max_scan_rate, core::unconfirmed_port_limit));
  cmd->add_option("hosts", o.hosts, "HOST, IPv4 or IPv6 address ([IPV6] also accepted)")->required();
  add_common_options(*cmd, o.common);
  auto* ports = cmd->add_option("-p,--ports", o.ports, "Ports: list and ranges (22,80,8000-8100), '-' for all");
  auto* top = cmd->add_option("--top", o.top, "The N most common ports (nmap-services ranking)");
  ports->excludes(top);
  cmd->add_option("--rate", o.rate, "SYNs per second, every host together")->capture_default_str();
  cmd->add_option("--retries", o.retries, "Retransmissions to unanswered ports (0 or 1)")
      ->check(CLI::Range(0, 1))
      ->capture_default_str();
  cmd->add_option("--min-wait", o.min_wait, "Shortest wait for an answer (the wait adapts to the RTTs)")
      ->capture_default_str();
  cmd->add_option("--max-wait", o.max_wait, "Longest wait for an answer, and the wait before any RTT is known")
      ->capture_default_str();
  cmd->add_option("--expect", o.expect, "Outcome(s) every port must have, comma-separated (exit code as probe)");
  cmd->add_flag("--all-ports", o.all_ports, "List every port, not only the interesting ones");
  cmd->add_flag("--all", o.all_addresses, "Scan every address a name resolves to");
  cmd->add_flag("-y,--yes", o.yes, "Scan more than 1,024 ports of a public address without asking");
  return cmd;
}

core::Result<std::vector<std::uint16_t>> scan_ports(const ScanOptions& o) {
  if (o.ports && o.top) return core::usage_error("-p and --top cannot be combined");
  if (o.ports) return core::parse_port_list(*o.ports);
  if (o.top && *o.top < 1) return core::usage_error(fmt::format("--top {}: must be at least 1", *o.top));
  return core::top_ports(o.top ? static_cast<std::size_t>(*o.top) : core::top_ports_available);
}

core::Result<ScanPlan> make_scan_plan(const ScanOptions& o, std::vector<TargetInfo> hosts) {
  ScanPlan plan;
  plan.hosts = std::move(hosts);
  TCPHS_TRY(ports, scan_ports(o));
  plan.config.ports = std::move(ports);
  if (!(o.rate > 0 && o.rate <= core::max_scan_rate))
    return core::usage_error(fmt::format("--rate {}: must be above 0 and at most {:.0f}", o.rate, core::max_scan_rate));
  plan.config.rate = o.rate;
  plan.config.retries = static_cast<std::uint32_t>(o.retries);
  TCPHS_TRY(floor, core::parse_duration(o.min_wait, "--min-wait"));
  TCPHS_TRY(ceiling, core::parse_duration(o.max_wait, "--max-wait"));
  if (floor > ceiling)
    return core::usage_error(fmt::format("--min-wait {} is longer than --max-wait {}", o.min_wait, o.max_wait));
  plan.config.wait.floor = floor;
  plan.config.wait.ceiling = ceiling;
  if (o.expect) {
    TCPHS_TRY(expect, core::parse_outcome_list(*o.expect));
    plan.expect = std::move(expect);
  }
  if (o.common.ttl) plan.syn.ttl = static_cast<std::uint8_t>(*o.common.ttl);
  if (o.common.tos) plan.syn.tos = static_cast<std::uint8_t>(*o.common.tos);
  plan.source = o.common.source;
  plan.interface = o.common.interface;
  if (o.common.source_port) plan.source_port = static_cast<std::uint16_t>(*o.common.source_port);
  return plan;
}

core::Result<std::vector<TargetInfo>> resolve_scan_hosts(const std::vector<std::string>& texts, FamilyChoice choice) {
  std::vector<TargetInfo> out;
  for (const auto& text : texts) {
    std::string host = text;
    if (host.find_first_not_of(" \t") == std::string::npos)
      return core::usage_error(fmt::format("invalid host '{}': empty host", text));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (!core::IpAddress::parse(host) && host.find(':') != std::string::npos)
      return core::usage_error(fmt::format("invalid host '{}': scan takes hosts; give the ports with -p", text));
    TCPHS_TRY(addresses, io::resolve_host(host, !choice.ipv6_only, !choice.ipv4_only));
    if (!choice.all_addresses && addresses.size() > 1) addresses.resize(1);
    for (const auto& a : addresses) out.push_back(TargetInfo{text, a, 0});
  }
  return out;
}

}  // namespace tcphs::app
