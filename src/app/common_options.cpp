#include "tcphs/app/common_options.hpp"

#include <map>

namespace tcphs::app {

void add_color_option(CLI::App& cmd, ColorMode& color) {
  // Help shows the words only: the transformer's own description would also
  // list the enum's numeric values.
  cmd.add_option("--color", color, "Colour: auto, always or never (NO_COLOR is honoured)")
      ->transform(CLI::CheckedTransformer(
                      std::map<std::string, ColorMode>{
                          {"auto", ColorMode::auto_}, {"always", ColorMode::always}, {"never", ColorMode::never}},
                      CLI::ignore_case)
                      .description(""))
      ->type_name("{auto,always,never}")
      ->default_str("auto");
}

void add_common_options(CLI::App& cmd, CommonOptions& o) {
  auto* v4 = cmd.add_flag("-4", o.ipv4_only, "Use IPv4 only");
  auto* v6 = cmd.add_flag("-6", o.ipv6_only, "Use IPv6 only");
  v4->excludes(v6);
  cmd.add_option("-I,--interface", o.interface, "Send and capture on this interface");
  cmd.add_option("--source", o.source, "Source address (must be one of this host's)");
  cmd.add_option("--source-port", o.source_port, "Source port (default: outside the ephemeral range)")
      ->check(CLI::Range(1, 65535));
  cmd.add_option("--ttl", o.ttl, "IP TTL / hop limit of the SYN (default 64)")->check(CLI::Range(1, 255));
  cmd.add_option("--tos", o.tos, "IP TOS / traffic class byte (default 0)")->check(CLI::Range(0, 255));
  cmd.add_flag("--json", o.json, "NDJSON on stdout (schema 1)");
  cmd.add_flag("-q,--quiet", o.quiet, "Print only the summary");
  cmd.add_flag("-v,--verbose", o.verbose, "More detail (repeat for more)");
  add_color_option(cmd, o.color);
  cmd.add_option("--mode", o.mode, "auto (raw SYNs when permitted, else connect), raw or connect")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, ModeChoice>{
              {"auto", ModeChoice::auto_}, {"raw", ModeChoice::raw}, {"connect", ModeChoice::connect}},
          CLI::ignore_case)
                     .description(""))
      ->type_name("{auto,raw,connect}")
      ->default_str("auto");
}

}  // namespace tcphs::app
