#pragma once
/// Options every command shares (SPEC §3), parsed by CLI11 into a struct.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "tcphs/core/ip_address.hpp"

namespace tcphs::app {

enum class ColorMode { auto_, always, never };
enum class ModeChoice { auto_, raw, connect };

struct CommonOptions {
  bool ipv4_only = false;
  bool ipv6_only = false;
  std::optional<std::string> interface;
  std::optional<std::string> source;      ///< numeric address, validated at run time
  std::optional<int> source_port;
  std::optional<int> ttl;
  std::optional<int> tos;
  bool json = false;
  bool quiet = false;
  int verbose = 0;
  ColorMode color = ColorMode::auto_;
  ModeChoice mode = ModeChoice::auto_;
};

/// Registers `--color WHEN` alone, for commands without the network options.
void add_color_option(CLI::App& cmd, ColorMode& color);

/// Registers the shared options on `cmd`, filling `opts`.
void add_common_options(CLI::App& cmd, CommonOptions& opts);

}  // namespace tcphs::app
