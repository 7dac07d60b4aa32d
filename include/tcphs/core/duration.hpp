#pragma once
/// Durations as typed on the command line and in check files.

#include <string_view>

#include "tcphs/core/result.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::core {

/// "1.5" (seconds), "250ms", "100us", "2s", "1m". Must be positive and at
/// most one day; `what` names the option in the error message.
Result<Duration> parse_duration(std::string_view text, std::string_view what);

}  // namespace tcphs::core
