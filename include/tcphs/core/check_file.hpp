#pragma once
/// The input of `tcphs check` (SPEC §3): one check per line,
/// `TARGET EXPECT [key=value...]`. Pure text rules: the whole file is
/// validated here before anything is resolved or sent, and every bad line
/// is reported, not only the first.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tcphs/core/outcome.hpp"
#include "tcphs/core/result.hpp"
#include "tcphs/core/target.hpp"
#include "tcphs/core/time.hpp"

namespace tcphs::core {

/// How a check wants to be probed; `auto_` leaves it to the command line.
enum class CheckMode : std::uint8_t { auto_, raw, connect };

/// One validated check. A key that the line does not give stays empty, so
/// the command line's value (or its default) applies.
struct CheckSpec {
  std::size_t line = 0;  ///< 1-based line in the file; 0 for a command-line target
  TargetSpec target;
  std::vector<Outcome> expect;
  std::string name;      ///< `name=`, else the target as typed; unique in a file
  std::optional<std::uint32_t> count;
  std::optional<Duration> timeout;  ///< the whole time one probe may take (probe's -W)
  std::optional<std::uint32_t> retries;
  std::optional<CheckMode> mode;
  std::optional<Duration> max_rtt;  ///< the check fails when the median RTT is above it
};

struct CheckFileError {
  std::size_t line = 0;  ///< 0: about the file as a whole
  std::string message;   ///< one line of printable text
};

struct CheckFile {
  std::vector<CheckSpec> checks;       ///< in file order; meaningful only without errors
  std::vector<CheckFileError> errors;  ///< in line order, at most one per line
};

inline constexpr std::size_t max_check_line_bytes = 4096;
inline constexpr std::uint32_t max_check_count = 1000;
inline constexpr std::uint32_t max_check_retries = 10;
/// Past this many bad lines the rest of the file is not examined (a binary
/// file would otherwise print one message per "line" of garbage).
inline constexpr std::size_t max_check_errors = 100;

/// Parses a whole check file.
/// - Lines end in LF; a CR before it is dropped (files edited on Windows),
///   and so is a UTF-8 byte order mark at the very start.
/// - Words are separated by spaces or tabs. A word that starts with `#`
///   starts a comment that runs to the end of the line; blank and
///   comment-only lines are skipped.
/// - The first word is the target (`parse_target`), the second the expected
///   outcome or a comma list of them, then `key=value` words: `count`
///   (1..1000), `timeout` and `max_rtt` (durations such as `250ms`),
///   `retries` (0..10), `mode` (`auto`, `raw`, `connect`) and `name`.
/// - A line is rejected, with one message, when it is longer than
///   max_check_line_bytes, holds a control byte or invalid UTF-8, or breaks
///   any rule above (unknown or repeated key, empty value...), or when its
///   name (the target itself when there is no `name=`) is already taken:
///   reports and metrics need one name per check.
/// - A file without a single check is an error too (line 0).
CheckFile parse_check_file(std::string_view text);

/// Checks from command-line targets sharing one expectation (`--expect`):
/// the same rules as a file, the first problem as a usage error.
Result<std::vector<CheckSpec>> checks_from_targets(std::span<const std::string> targets, std::string_view expect);

/// `FILE:LINE: message`, or `FILE: message` for line 0.
std::string format_check_error(std::string_view file, const CheckFileError& error);

}  // namespace tcphs::core
