#pragma once
/// From `tcphs check`'s options and input to rows ready to run: read and
/// validate the checks, apply the command line's defaults, pick each
/// check's mode and resolve its name. Nothing here sends a packet.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "tcphs/app/check_command.hpp"
#include "tcphs/app/check_row.hpp"
#include "tcphs/core/check_file.hpp"

namespace tcphs::app {

/// What applies where a line has no key of its own.
struct CheckDefaults {
  std::uint32_t count = 1;
  core::EngineConfig timing;
  std::optional<core::Duration> max_rtt;
  ModeChoice mode = ModeChoice::auto_;
};

struct CheckInput {
  std::string name;  ///< for messages and reports: the path, "<stdin>" or "arguments"
  std::vector<core::CheckSpec> checks;
};

/// The command line's values (durations parsed); usage errors name the option.
core::Result<CheckDefaults> check_defaults(const CheckOptions& o);

/// The checks from the file (or stdin), or from the targets with --expect.
/// Every bad line goes to `diagnostics` as `FILE:LINE: message`, and then
/// a usage error says how many there were: nothing has been sent.
/// Unreadable and oversized (over 16 MiB) files are usage errors too.
core::Result<CheckInput> load_checks(const CheckOptions& o, std::FILE* diagnostics);

/// Rows for `input`, in its order. First the checks that can be decided
/// without the network: service names (the services database) and the
/// family of numeric addresses against -4/-6; bad ones are reported like
/// bad lines. Then each check's mode (a line's mode=, else --mode; auto
/// means raw with CAP_NET_RAW, else connect with one notice on
/// `diagnostics`), and its name resolved (each host once; the first
/// address of the wanted family). A name that does not resolve becomes the
/// error of its row, not of the run. --source-port with two checks to the
/// same address and port is a usage error: their SYNs could not be told apart.
core::Result<std::vector<CheckRow>> plan_checks(const CheckInput& input, const CheckDefaults& defaults,
                                                const CheckOptions& o, std::FILE* diagnostics);

}  // namespace tcphs::app
