#pragma once
/// Pieces of the human-readable output shared by the text reporters.

#include <cstdint>
#include <optional>
#include <string>

#include "tcphs/app/common_options.hpp"
#include "tcphs/core/outcome.hpp"
#include "tcphs/core/probe_result.hpp"

namespace tcphs::app {

/// ANSI colour wrapped around `text` when `on`.
std::string paint(bool on, core::Outcome o, const std::string& text);

/// "1.234 ms": microsecond precision, as SPEC §3 asks.
std::string format_rtt(std::int64_t ns);

/// The evidence for a result: reply flags, TTL, window, ISN and options, or
/// the ICMP type/code and sender; "" for a timeout.
std::string evidence(const core::ProbeResult& r);

/// True when colour should be used on `fd`: `auto` means a terminal and no
/// NO_COLOR in the environment (https://no-color.org).
bool want_color(ColorMode mode, int fd);

/// "SIGINT", "SIGTERM": the signals that interrupt a run; "signal N" else.
std::string signal_name(int signo);

}  // namespace tcphs::app
