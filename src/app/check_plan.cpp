#include "tcphs/app/check_plan.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "tcphs/core/duration.hpp"
#include "tcphs/io/system.hpp"

namespace tcphs::app {
namespace {

constexpr std::size_t max_file_bytes = 16 << 20;

/// The whole of `path` ("-": stdin), at most max_file_bytes.
core::Result<std::string> read_input(const std::string& path, const std::string& shown) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    const bool looks_like_target = path.find(':') != std::string::npos && errno == ENOENT;
    return core::usage_error(fmt::format("cannot read {}: {}{}", shown, std::strerror(errno),
                                         looks_like_target ? " (targets on the command line need --expect)" : ""));
  }
  std::string text;
  char buf[65536];
  std::size_t n = 0;
  while (text.size() <= max_file_bytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f);
  const int err = errno;
  if (f != stdin) std::fclose(f);
  if (failed) return core::usage_error(fmt::format("cannot read {}: {}", shown, std::strerror(err)));
  if (text.size() > max_file_bytes)
    return core::usage_error(fmt::format("{}: larger than {} MiB; is it a check file?", shown, max_file_bytes >> 20));
  return text;
}

/// A single problem is one line on stderr: the problem and that nothing was sent.
core::Error one_bad_line(const std::string& name, const core::CheckFileError& e) {
  return core::usage_error(core::format_check_error(name, e) + "; nothing was sent");
}

core::Error bad_lines(const std::string& name, std::size_t n) {
  return core::usage_error(fmt::format("{}: {} bad line{}; nothing was sent", name, n, n == 1 ? "" : "s"));
}

/// Service names and literal families: the checks the file alone cannot
/// settle but that need no network. Fills `ports` (one per check).
std::vector<core::CheckFileError> settle_offline(const CheckInput& input, const CommonOptions& common,
                                                 std::vector<std::uint16_t>& ports) {
  std::vector<core::CheckFileError> errors;
  for (const auto& c : input.checks) {
    std::uint16_t port = c.target.port;
    if (port == 0) {
      auto service = io::resolve_service(c.target.service);
      if (!service) {
        errors.push_back({c.line, service.error().message});
        continue;
      }
      port = *service;
    }
    ports.push_back(port);
    if (!c.target.literal) continue;
    const bool v6 = c.target.literal->family == core::Family::ipv6;
    if ((v6 && common.ipv4_only) || (!v6 && common.ipv6_only))
      errors.push_back({c.line, fmt::format("target '{}' is an {} address, but {} was given", c.target.text,
                                            v6 ? "IPv6" : "IPv4", v6 ? "-4" : "-6")});
  }
  return errors;
}

}  // namespace

core::Result<CheckDefaults> check_defaults(const CheckOptions& o) {
  CheckDefaults d;
  d.count = static_cast<std::uint32_t>(o.count);
  TCPHS_TRY(rto, core::parse_duration(o.rto, "--rto"));
  d.timing.rto = rto;
  d.timing.retries = static_cast<std::uint32_t>(o.retries);
  if (o.timeout) {
    TCPHS_TRY(total, core::parse_duration(*o.timeout, "--timeout"));
    d.timing.total_timeout = total;
  }
  if (o.max_rtt) {
    TCPHS_TRY(max_rtt, core::parse_duration(*o.max_rtt, "--max-rtt"));
    d.max_rtt = max_rtt;
  }
  d.mode = o.common.mode;
  return d;
}

core::Result<CheckInput> load_checks(const CheckOptions& o, std::FILE* diagnostics) {
  CheckInput input;
  if (o.expect) {
    input.name = "arguments";
    TCPHS_TRY(checks, core::checks_from_targets(o.inputs, *o.expect));
    input.checks = std::move(checks);
    return input;
  }
  if (o.inputs.size() != 1)
    return core::usage_error(fmt::format("give one check file, or targets with --expect ({} arguments given)",
                                         o.inputs.size()));
  input.name = o.inputs[0] == "-" ? "<stdin>" : o.inputs[0];
  TCPHS_TRY(text, read_input(o.inputs[0], input.name));
  auto file = core::parse_check_file(text);
  if (file.errors.size() == 1) return one_bad_line(input.name, file.errors[0]);
  for (const auto& e : file.errors) fmt::print(diagnostics, "{}\n", core::format_check_error(input.name, e));
  if (!file.errors.empty()) {
    std::size_t lines = 0;
    for (const auto& e : file.errors) lines += e.line != 0;
    return lines ? bad_lines(input.name, lines) : core::usage_error(fmt::format("{}: not a check file", input.name));
  }
  input.checks = std::move(file.checks);
  return input;
}

core::Result<std::vector<CheckRow>> plan_checks(const CheckInput& input, const CheckDefaults& defaults,
                                                const CheckOptions& o, std::FILE* diagnostics) {
  std::vector<std::uint16_t> ports;
  auto errors = settle_offline(input, o.common, ports);
  if (errors.size() == 1 && errors[0].line != 0) return one_bad_line(input.name, errors[0]);
  for (const auto& e : errors) {
    if (e.line == 0) return core::usage_error(e.message);  // a command-line target
    fmt::print(diagnostics, "{}\n", core::format_check_error(input.name, e));
  }
  if (!errors.empty()) return bad_lines(input.name, errors.size());

  std::optional<bool> raw_allowed;  // asked once, only when a check leaves it to us
  std::size_t fallbacks = 0;
  std::map<std::string, core::Result<std::vector<core::IpAddress>>> resolved;
  std::map<std::pair<core::IpAddress, std::uint16_t>, std::size_t> destinations;  // for --source-port
  std::vector<CheckRow> rows;
  for (std::size_t i = 0; i < input.checks.size(); ++i) {
    const auto& c = input.checks[i];
    CheckRow row;
    row.line = c.line;
    row.name = c.name;
    row.target = c.target.text;
    row.expect = c.expect;
    row.max_rtt = c.max_rtt ? c.max_rtt : defaults.max_rtt;
    row.count = c.count.value_or(defaults.count);
    row.timing = defaults.timing;
    if (c.retries) row.timing.retries = *c.retries;
    if (c.timeout) row.timing.total_timeout = *c.timeout;

    const auto mode = c.mode.value_or(core::CheckMode::auto_);
    const bool wants_raw = mode == core::CheckMode::raw || (mode == core::CheckMode::auto_ && defaults.mode == ModeChoice::raw);
    const bool wants_connect =
        mode == core::CheckMode::connect || (mode == core::CheckMode::auto_ && defaults.mode == ModeChoice::connect);
    if (!wants_raw && !wants_connect && !raw_allowed) raw_allowed = io::have_net_raw();
    const bool raw = wants_raw || (!wants_connect && *raw_allowed);
    if (!raw && !wants_connect) ++fallbacks;
    row.mode = raw ? core::ProbeMode::raw : core::ProbeMode::connect;

    std::optional<core::IpAddress> address = c.target.literal;
    if (!address) {
      auto [at, fresh] = resolved.try_emplace(c.target.host, core::Error{});
      if (fresh) at->second = io::resolve_host(c.target.host, !o.common.ipv6_only, !o.common.ipv4_only);
      if (at->second) address = at->second->front();
      else row.error = at->second.error();
    }
    if (address) {
      row.resolved = TargetInfo{c.target.text, *address, ports[i]};
      auto [seen, fresh] = destinations.try_emplace({*address, ports[i]}, i);
      if (o.common.source_port && !fresh)
        return core::usage_error(fmt::format("--source-port: '{}' and '{}' go to the same address and port, so "
                                             "their SYNs would be the same; leave --source-port out",
                                             input.checks[seen->second].name, c.name));
    }
    rows.push_back(std::move(row));
  }
  if (fallbacks)
    fmt::print(diagnostics,
               "tcphs: no CAP_NET_RAW: {} check{} connect() mode, which cannot tell RST from ICMP "
               "port-unreachable nor read the SYN-ACK itself (see 'man tcphs', PRIVILEGES)\n",
               fallbacks, fallbacks == 1 ? " uses" : "s use");
  return rows;
}

}  // namespace tcphs::app
