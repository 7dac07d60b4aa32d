#include "tcphs/app/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <optional>
#include <string>

#include "tcphs/app/check_command.hpp"
#include "tcphs/app/explain_command.hpp"
#include "tcphs/app/handshake_command.hpp"
#include "tcphs/app/isn_command.hpp"
#include "tcphs/app/probe_command.hpp"
#include "tcphs/app/scan_command.hpp"
#include "tcphs/app/trace_command.hpp"

namespace tcphs::app {
namespace {

/// SPEC §2 exit codes for errors.
int exit_code_for(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::usage: return 64;
    case core::ErrorKind::resolve: return 68;
    case core::ErrorKind::permission: return 77;
    case core::ErrorKind::no_route: return 4;
    case core::ErrorKind::local_firewall: return 3;
    case core::ErrorKind::io: return 70;
    case core::ErrorKind::internal: return 70;
  }
  return 70;
}

/// CLI11's messages can span lines; the contract is one line on stderr.
std::string one_line(std::string s) {
  for (auto& c : s)
    if (c == '\n') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

/// CLI11 answers a mistyped command with "A subcommand is required"; name
/// the word and the commands instead.
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  std::string names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == argv[1]) return std::nullopt;
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return fmt::format("unknown command '{}' (the commands are {})", argv[1], names);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tcphs: probe and diagnose TCP connection setup with real packets", "tcphs"};
  app.set_version_flag("--version", "tcphs " TCPHS_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'tcphs COMMAND --help' for a command's options; 'man tcphs' for the whole story.");
  ProbeOptions probe;
  auto* probe_cmd = add_probe_command(app, probe);
  TraceOptions trace;
  auto* trace_cmd = add_trace_command(app, trace);
  ScanOptions scan;
  auto* scan_cmd = add_scan_command(app, scan);
  IsnOptions isn;
  auto* isn_cmd = add_isn_command(app, isn);
  HandshakeOptions handshake;
  auto* handshake_cmd = add_handshake_command(app, handshake);
  CheckOptions check;
  auto* check_cmd = add_check_command(app, check);
  ExplainOptions explain;
  auto* explain_cmd = add_explain_command(app, explain);
  if (auto unknown = unknown_command(app, argc, argv)) {
    fmt::print(stderr, "tcphs: {}\n", *unknown);
    return 64;
  }
  try {
    app.parse(argc, argv);
    core::Result<int> result = core::Error{core::ErrorKind::internal, "no command ran"};
    if (probe_cmd->parsed()) result = run_probe(probe);
    if (trace_cmd->parsed()) result = run_trace(trace);
    if (scan_cmd->parsed()) result = run_scan(scan);
    if (isn_cmd->parsed()) result = run_isn(isn);
    if (handshake_cmd->parsed()) result = run_handshake(handshake);
    if (check_cmd->parsed()) result = run_check(check);
    if (explain_cmd->parsed()) result = run_explain(explain);
    if (!result) {
      fmt::print(stderr, "tcphs: {}\n", one_line(result.error().message));
      return exit_code_for(result.error().kind);
    }
    return *result;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "tcphs: {}\n", one_line(e.what()));
    return 64;
  } catch (const std::exception& e) {
    fmt::print(stderr, "tcphs: internal error: {}\n", one_line(e.what()));
    return 70;
  }
}

}  // namespace tcphs::app
