#include "tcphs/core/duration.hpp"

#include <charconv>
#include <string>

namespace tcphs::core {

Result<Duration> parse_duration(std::string_view text, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return usage_error(std::string(what) + ": invalid duration '" + std::string(text) + "': " +
                       std::string(why));
  };
  std::size_t unit_at = text.find_first_not_of("0123456789.");
  std::string_view number = text.substr(0, unit_at);
  std::string_view unit = unit_at == std::string_view::npos ? "s" : text.substr(unit_at);
  if (number.empty()) return bad("expected a number with an optional unit (us, ms, s, m)");
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size()) return bad("not a number");
  double scale = 0;
  if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s") scale = 1e9;
  else if (unit == "m") scale = 60e9;
  else return bad("unknown unit '" + std::string(unit) + "' (use us, ms, s or m)");
  const double ns = value * scale;
  if (ns < 1) return bad("must be greater than zero");
  if (ns > 86400e9) return bad("must be at most one day");
  return Duration(static_cast<std::int64_t>(ns));
}

}  // namespace tcphs::core
